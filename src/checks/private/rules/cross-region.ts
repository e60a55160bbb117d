/** Cross-region and cross-account rules: artifact stores per region, source region, stack env, KMS for other accounts. */
import { Context, RuleFamily, at } from '../pipeline-model';
import { accountOfArn, allKnown, concrete, isIntrinsic, isObject, list } from '../template-reader';

export const CROSS_REGION_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-ARTIFACT-STORE',
      description: 'The pipeline has ArtifactStore or ArtifactStores (not both), with a store for the pipeline region and every action region.',
      fix: 'Use ArtifactStores with one S3 bucket per region (pipeline region included) when actions run in other regions; ArtifactStore otherwise.',
    },
    { id: 'CDP-SOURCE-REGION', description: 'Source actions run in the pipeline region.', fix: 'Remove Region from the source action, or define the pipeline in the source\'s region.' },
    {
      id: 'CDP-CROSS-REGION-ENV',
      description: 'A pipeline with cross-region actions is in a stack with a concrete region.',
      fix: 'Give the pipeline stack an explicit env ({ account, region }) so stores and regions can be checked and deployed.',
    },
    {
      id: 'CDP-CROSS-ACCOUNT-KMS',
      description: 'An action whose role is in another account uses an artifact store encrypted with a customer-managed KMS key.',
      fix: 'Set EncryptionKey on the artifact store of that region (e.g. crossAccountKeys: true on the L2 Pipeline); the AWS-managed S3 key cannot be shared.',
    },
  ],
  check(ctx) {
    checkStores(ctx);
    if (!ctx.stagesListed) return;
    checkRegions(ctx);
    checkCrossAccount(ctx);
  },
};

interface StoreInfo {
  /** Stores by region; undefined when ArtifactStores is unknown. */
  readonly byRegion?: Map<string, { [key: string]: any } | undefined>;
  readonly single?: { [key: string]: any };
  readonly singleKnown: boolean;
}

function readStores(props: { [key: string]: any }): StoreInfo {
  if (props.ArtifactStores === undefined) {
    return {
      single: isObject(props.ArtifactStore) ? props.ArtifactStore : undefined,
      singleKnown: props.ArtifactStore !== undefined && !isIntrinsic(props.ArtifactStore),
    };
  }
  const items = list(props.ArtifactStores);
  if (!items || !allKnown(items)) return { singleKnown: false };
  const byRegion = new Map<string, { [key: string]: any } | undefined>();
  for (const item of items) {
    if (!isObject(item) || typeof item.Region !== 'string') return { singleKnown: false };
    byRegion.set(item.Region, isObject(item.ArtifactStore) ? item.ArtifactStore : undefined);
  }
  return { byRegion, singleKnown: false };
}

function checkStores({ props, actions, env, emit }: Context) {
  const region = concrete(env.region);
  const hasSingle = props.ArtifactStore !== undefined;
  const hasMulti = props.ArtifactStores !== undefined;
  if (hasSingle === hasMulti) {
    emit('CDP-ARTIFACT-STORE', hasSingle ? 'has both ArtifactStore and ArtifactStores; use exactly one' : 'has neither ArtifactStore nor ArtifactStores', 'Properties');
    return;
  }
  const stores = readStores(props);
  if (hasMulti && stores.byRegion) {
    const items = list(props.ArtifactStores)!;
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const r = (item as any).Region as string;
      if (seen.has(r)) emit('CDP-ARTIFACT-STORE', `ArtifactStores lists region '${r}' more than once`, `Properties/ArtifactStores/${i}/Region`);
      seen.add(r);
    });
    if (region && !stores.byRegion.has(region)) {
      emit('CDP-ARTIFACT-STORE', `ArtifactStores has no store for the pipeline region '${region}' (has: ${[...stores.byRegion.keys()].join(', ')})`, 'Properties/ArtifactStores');
    }
  }
  for (const action of actions) {
    const actionRegion = action.region;
    if (!actionRegion) continue;
    if (hasSingle && (!region || actionRegion !== region)) {
      if (region) {
        emit('CDP-ARTIFACT-STORE', `runs in region '${actionRegion}' but the pipeline (in '${region}') has a single ArtifactStore; `
          + `use ArtifactStores with a store for '${actionRegion}'`, `${action.location}/Region`, at(action));
      }
    } else if (hasMulti && stores.byRegion && !stores.byRegion.has(actionRegion)) {
      emit('CDP-ARTIFACT-STORE', `runs in region '${actionRegion}', which has no entry in ArtifactStores (has: ${[...stores.byRegion.keys()].join(', ')})`,
        `${action.location}/Region`, at(action));
    }
  }
}

function checkRegions({ actions, env, emit }: Context) {
  const region = concrete(env.region);
  let reportedEnv = false;
  for (const action of actions) {
    if (!action.region) continue;
    if (!region) {
      if (!reportedEnv) {
        emit('CDP-CROSS-REGION-ENV', `action runs in region '${action.region}' but the pipeline stack has no concrete region`, `${action.location}/Region`, at(action));
        reportedEnv = true;
      }
      continue;
    }
    if (action.category === 'Source' && action.region !== region) {
      emit('CDP-SOURCE-REGION', `source action runs in '${action.region}', not in the pipeline region '${region}'`, `${action.location}/Region`, at(action));
    }
  }
}

function checkCrossAccount({ props, actions, env, emit }: Context) {
  const account = concrete(env.account);
  if (!account) return;
  const stores = readStores(props);
  const region = concrete(env.region);
  for (const action of actions) {
    const roleAccount = accountOfArn(action.raw.RoleArn, env);
    if (!roleAccount || roleAccount === account) continue;
    const storeRegion = action.region ?? region;
    let store: { [key: string]: any } | undefined;
    let storeKnown: boolean;
    if (stores.byRegion) {
      storeKnown = !!storeRegion && stores.byRegion.has(storeRegion);
      store = storeRegion ? stores.byRegion.get(storeRegion) : undefined;
    } else {
      storeKnown = stores.singleKnown && (!action.region || action.region === region);
      store = stores.single;
    }
    if (!storeKnown || !store) continue;
    if (store.EncryptionKey === undefined) {
      emit('CDP-CROSS-ACCOUNT-KMS', `assumes a role in account ${roleAccount} (pipeline account ${account}), but the artifact store `
        + `${storeRegion ? `for '${storeRegion}' ` : ''}has no EncryptionKey (the AWS-managed S3 key cannot be shared across accounts)`, `${action.location}/RoleArn`, at(action));
    }
  }
}
