/**
 * CloudWatch embedded metric format (EMF), written by hand: one JSON log line that CloudWatch
 * Logs turns into metrics, no client library and no PutMetricData permission needed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** CloudWatch units this project uses. */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None';

/** One metric in an EMF line. */
export interface EmfMetric {
  readonly name: string;
  readonly value: number;
  readonly unit?: EmfUnit;
  /**
   * The dimension sets this metric is published under (names from the record's dimensions).
   * @default - one set: all the record's dimensions
   */
  readonly dimensionSets?: ReadonlyArray<ReadonlyArray<string>>;
}

/** What goes into one EMF line. */
export interface EmfRecord {
  readonly namespace: string;
  /** Dimension name -> value; every metric of the line is published with all of them. */
  readonly dimensions: { readonly [name: string]: string };
  readonly metrics: readonly EmfMetric[];
  /** Extra fields kept in the log line (searchable in Logs Insights), not published as metrics. */
  readonly properties?: { readonly [name: string]: string | number | boolean | undefined };
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

/**
 * The JSON object of an EMF line. Metric values and dimension values are top-level members,
 * `_aws.CloudWatchMetrics` says which members are metrics and which are dimensions.
 */
export function emfDocument(record: EmfRecord): Record<string, unknown> {
  const reserved = new Set(['_aws', ...Object.keys(record.dimensions), ...record.metrics.map((m) => m.name)]);
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.properties ?? {})) {
    if (value !== undefined && !reserved.has(key)) properties[key] = value;
  }
  // One directive per distinct list of dimension sets (a directive's metrics share its dimensions).
  const directives = new Map<string, { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }>();
  for (const m of record.metrics) {
    const sets = (m.dimensionSets ?? [Object.keys(record.dimensions)]).map((set) => [...set]);
    const key = JSON.stringify(sets);
    const directive = directives.get(key) ?? { Namespace: record.namespace, Dimensions: sets, Metrics: [] };
    directive.Metrics.push({ Name: m.name, Unit: m.unit ?? 'None' });
    directives.set(key, directive);
  }
  const doc: Record<string, unknown> = {
    _aws: { Timestamp: record.timestamp, CloudWatchMetrics: [...directives.values()] },
    ...properties,
    ...record.dimensions,
  };
  for (const metric of record.metrics) doc[metric.name] = metric.value;
  return doc;
}

/** The EMF line to write with `console.log`. */
export function emfLine(record: EmfRecord): string {
  return JSON.stringify(emfDocument(record));
}
