import { Construct, IConstruct } from 'constructs';

/**
 * The scope `ArtifactStores` defines one region's bucket and key in. Being a child of one is how
 * a bucket or key is known to be the stores' own (named by their scheme, so grants on it can use
 * one pattern statement for all regions) rather than one the user passed in: the fact lives in
 * the construct tree, not in a module-level registry.
 */
export class StoreScope extends Construct {
  /** Whether `resource` was defined by `ArtifactStores` (its bucket or key, not one passed in). */
  public static definedByStores(resource: IConstruct): boolean {
    return resource.node.scope instanceof StoreScope;
  }
}
