import { FailureNotificationsOptions } from './failure-notifications';
import { fail } from '../private/errors';

/**
 * What a pipeline of this library adds to its `FailureNotifications` props for the delivery
 * metrics: the production stages, when the metrics are on (`enrich` and `deliveryMetrics`, both
 * default true; `options` undefined: no notifications at all). `marked` holds each deploy stage (wave) name with its `production` prop; none
 * marked true: the last one, unless it is marked false. Not part of the library's API.
 */
export function productionStagesProps(me: string, options: FailureNotificationsOptions | undefined,
  marked: ReadonlyArray<{ readonly name: string; readonly production?: boolean }>): { productionStages?: string[] } {
  if (!options || !(options.enrich ?? true) || !(options.deliveryMetrics ?? true)) {
    const on = marked.find((m) => m.production === true);
    if (on) {
      const why = !options ? 'failureNotifications: false' : `notifications ${options.enrich === false ? 'enrich: false' : 'deliveryMetrics: false'}`;
      fail(me, `stage '${on.name}' is marked production, but the delivery metrics are off (${why}); drop production, or turn the metrics on.`);
    }
    return {};
  }
  const chosen = marked.filter((m) => m.production === true).map((m) => m.name);
  if (chosen.length > 0) return { productionStages: chosen };
  const last = marked[marked.length - 1];
  if (last?.production === false) {
    fail(me, `no deploy stage is production: the last one, '${last.name}', is marked production: false and no other is marked true; `
      + 'mark the production stage with production: true, or turn the delivery metrics off (notifications: { deliveryMetrics: false }).');
  }
  return { productionStages: last ? [last.name] : [] };
}
