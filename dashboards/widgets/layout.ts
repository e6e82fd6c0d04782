/**
 * CloudWatch dashboard bodies as plain data (the documented dashboard body structure:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html), so the
 * same object is deployed (`AWS::CloudWatch::Dashboard`), checked against the metric catalog and drawn by the preview.
 */

/** A metric line: `[namespace, metricName, dimName, dimValue, …, options]`, or an expression (SEARCH, Metrics Insights, math). */
export type MetricLine = readonly (string | Record<string, unknown>)[] | readonly [Record<string, unknown>];

export interface TextWidget {
  readonly type: 'text';
  readonly properties: { readonly markdown: string };
}

export interface MetricWidget {
  readonly type: 'metric';
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: 'timeSeries' | 'singleValue' | 'bar';
    readonly stacked?: boolean;
    readonly period: number;
    readonly stat?: string;
    readonly metrics: readonly MetricLine[];
    readonly yAxis?: { readonly left: { readonly label: string; readonly min?: number } };
  };
}

export interface AlarmWidget {
  readonly type: 'alarm';
  readonly properties: { readonly title: string; readonly alarms: readonly string[]; readonly sortBy: 'stateUpdatedTimestamp' };
}

export type Widget = TextWidget | MetricWidget | AlarmWidget;
export type PlacedWidget = Widget & { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

/** A dashboard: its name, and its widgets placed on CloudWatch's 24-column grid. */
export interface DashboardDefinition {
  readonly name: string;
  readonly body: { readonly start: string; readonly periodOverride: 'inherit'; readonly widgets: readonly PlacedWidget[] };
}

/** CloudWatch's dashboard grid is 24 units wide. */
export const GRID_WIDTH = 24;

/**
 * Places widgets left to right in rows of CloudWatch's 24-unit grid: a widget that does not fit on the row starts the
 * next one, below the tallest widget of the row.
 */
export function layOut(name: string, widgets: readonly { widget: Widget; width: number; height: number }[]): DashboardDefinition {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const placed = widgets.map(({ widget, width, height }) => {
    if (width > GRID_WIDTH) throw new Error(`${name}: a widget is ${width} units wide; the grid has ${GRID_WIDTH}`);
    if (x + width > GRID_WIDTH) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const result = { ...widget, x, y, width, height };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return result;
  });
  return { name, body: { start: '-PT24H', periodOverride: 'inherit', widgets: placed } };
}

/** A Metrics Insights query line (spans every linked source account in a monitoring account). */
export function insights(id: string, query: string, label: string): MetricLine {
  return [{ id, expression: query, label }];
}

/** A SEARCH expression line: every metric of `{namespace, dimensions}` named `metricName`, with a statistic and period. */
export function search(id: string, schema: readonly string[], metricName: string, statistic: string, period: number, label?: string): MetricLine {
  return [{ id, expression: `SEARCH('{${schema.join(',')}} MetricName="${metricName}"', '${statistic}', ${period})`, ...(label && { label }) }];
}
