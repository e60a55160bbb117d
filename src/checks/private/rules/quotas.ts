/** Action quota rules: action (approval) timeouts and configuration sizes. */
import { MAX_CONFIG_ENTRIES, MAX_CONFIG_KEY_LENGTH, MAX_CONFIG_TOTAL_BYTES, MAX_CONFIG_VALUE_LENGTH, MAX_TIMEOUT_MINUTES, MIN_TIMEOUT_MINUTES } from '../../../private/quotas';
import { Context, RuleFamily, at } from '../pipeline-model';
import { isIntrinsic, isObject } from '../template-reader';

export const QUOTA_RULES: RuleFamily = {
  rules: [
    {
      id: 'CDP-APPROVAL-TIMEOUT',
      description: 'An action timeout (the manual approval timeout) is 5 to 86,400 minutes (60 days).',
      fix: 'Set the timeout between 5 minutes and 60 days (the account default for approvals is 7 days).',
    },
    {
      id: 'CDP-ACTION-CONFIG',
      description: 'Action configuration keys are at most 50 characters, values at most 1000, 200 entries and 100 KB in total.',
      fix: 'Shorten the value (move long content into an artifact or a parameter file), or split the configuration.',
    },
  ],
  check(ctx) {
    if (!ctx.stagesListed) return;
    checkTimeouts(ctx);
    checkConfiguration(ctx);
  },
};

function checkTimeouts({ actions, emit }: Context) {
  for (const action of actions) {
    const t = action.raw.TimeoutInMinutes;
    if (t === undefined || isIntrinsic(t)) continue;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < MIN_TIMEOUT_MINUTES || t > MAX_TIMEOUT_MINUTES) {
      const what = action.category === 'Approval' ? 'manual approval timeout' : 'action timeout';
      emit('CDP-APPROVAL-TIMEOUT', `${what} ${JSON.stringify(t)} minutes is outside ${MIN_TIMEOUT_MINUTES}..${MAX_TIMEOUT_MINUTES} minutes (5 minutes to 60 days)`,
        `${action.location}/TimeoutInMinutes`, at(action));
    }
  }
}

function checkConfiguration({ actions, emit }: Context) {
  for (const action of actions) {
    const config = action.raw.Configuration;
    if (!isObject(config)) continue;
    const entries = Object.entries(config);
    let total = 0;
    if (entries.length > MAX_CONFIG_ENTRIES) {
      emit('CDP-ACTION-CONFIG', `configuration has ${entries.length} entries; at most ${MAX_CONFIG_ENTRIES}`, `${action.location}/Configuration`, at(action));
    }
    for (const [key, value] of entries) {
      const location = `${action.location}/Configuration/${key}`;
      if (key.length > MAX_CONFIG_KEY_LENGTH) {
        emit('CDP-ACTION-CONFIG', `configuration key '${key.slice(0, 60)}...' has ${key.length} characters; at most ${MAX_CONFIG_KEY_LENGTH}`, location, at(action));
      }
      const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
      if (text === undefined) continue;
      total += Buffer.byteLength(key) + Buffer.byteLength(text);
      if (text.length > MAX_CONFIG_VALUE_LENGTH) {
        emit('CDP-ACTION-CONFIG', `configuration value of '${key}' has ${text.length} characters; at most ${MAX_CONFIG_VALUE_LENGTH}`, location, at(action));
      }
    }
    if (total > MAX_CONFIG_TOTAL_BYTES) {
      emit('CDP-ACTION-CONFIG', `configuration is ${total} bytes; at most ${MAX_CONFIG_TOTAL_BYTES}`, `${action.location}/Configuration`, at(action));
    }
  }
}
