/**
 * A checker for CloudWatch embedded metric format documents, written from the specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * returns the problems of a document, empty when it is valid.
 */

/** The units the specification allows (CloudWatch `StandardUnit`). */
export const EMF_UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count',
  'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
  'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

export function emfProblems(doc: any): string[] {
  const problems: string[] = [];
  const aws = doc?._aws;
  if (typeof aws !== 'object' || aws === null) return ['_aws is missing'];
  if (!Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) problems.push('_aws.Timestamp is not a whole number of ms since the epoch');
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const [i, d] of aws.CloudWatchMetrics.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (typeof d.Namespace !== 'string' || d.Namespace.length === 0 || d.Namespace.length > 1024) problems.push(`${at}.Namespace is not a string of 1-1024 characters`);
    if (!Array.isArray(d.Dimensions)) problems.push(`${at}.Dimensions is not an array`);
    for (const set of d.Dimensions ?? []) {
      if (!Array.isArray(set) || set.length > 30) problems.push(`${at}.Dimensions holds ${JSON.stringify(set)}, not a list of at most 30 names`);
      for (const name of Array.isArray(set) ? set : []) {
        if (typeof doc[name] !== 'string' || doc[name].length === 0 || doc[name].length > 1024) problems.push(`dimension ${name} has no top-level string value of 1-1024 characters`);
      }
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length === 0 || d.Metrics.length > 100) problems.push(`${at}.Metrics is not a list of 1-100 metrics`);
    for (const m of d.Metrics ?? []) {
      if (typeof m.Name !== 'string' || m.Name.length === 0 || m.Name.length > 1024) problems.push(`${at} has a metric without a name of 1-1024 characters`);
      if (m.Unit !== undefined && !EMF_UNITS.has(m.Unit)) problems.push(`metric ${m.Name} has unit '${m.Unit}', not one of the allowed units`);
      const v = doc[m.Name];
      const values = Array.isArray(v) ? v : [v];
      if (values.length === 0 || values.length > 100 || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        problems.push(`metric ${m.Name} has no top-level number value (${JSON.stringify(v)})`);
      }
    }
  }
  return problems;
}

/** The EMF documents among logged lines. */
export function emfDocuments(lines: string[]): any[] {
  return lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
}

/** name -> value of the metrics of a document (with their dimension sets). */
export function metricsOf(doc: any): Record<string, { value: number; unit: string; dimensions: string[][] }> {
  const out: Record<string, { value: number; unit: string; dimensions: string[][] }> = {};
  for (const d of doc._aws.CloudWatchMetrics) for (const m of d.Metrics) out[m.Name] = { value: doc[m.Name], unit: m.Unit, dimensions: d.Dimensions };
  return out;
}
