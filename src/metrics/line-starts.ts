import { FAMILIES, GC_BUCKETS, type Family, type Name } from './process-families';
import { familyHeader, labelValue, type ExpositionFormat } from './text-format';

/** MAX_VALUES bounds the kept line starts per family (label values are few: spaces, handle types). */
const MAX_VALUES = 64;

/** GcLines are the starts of one GC kind's histogram lines. */
export interface GcLines {
  buckets: Buffer[];
  infinity: Buffer;
  sum: Buffer;
  count: Buffer;
}

/**
 * LineStarts keeps, as bytes, every piece of the process metrics' text that does not
 * change between scrapes: each family's HELP and TYPE lines, and each sample line up to
 * its value, so that a scrape writes only the values and builds no strings for the rest.
 */
export class LineStarts {
  readonly header = {} as Record<Name, Buffer>;
  readonly sample = {} as Record<Name, Buffer>;
  private readonly labelled = new Map<string, Map<string, Buffer>>();
  private readonly gc = new Map<string, GcLines>();

  constructor(format: ExpositionFormat) {
    for (const [key, family] of Object.entries(FAMILIES) as Array<[Name, Family]>) {
      const head = familyHeader(family.name, family.help, family.type, format);
      this.header[key] = Buffer.from(head);
      this.sample[key] = Buffer.from(`${head}${family.name} `);
    }
  }

  /** labelledStart is the start of `metric{label="value"} ` (each metric has one label). */
  labelledStart(metric: string, label: string, value: string): Buffer {
    let byValue = this.labelled.get(metric);
    if (!byValue) this.labelled.set(metric, (byValue = new Map()));
    let start = byValue.get(value);
    if (!start) {
      start = Buffer.from(`${metric}{${label}="${labelValue(value)}"} `);
      if (byValue.size < MAX_VALUES) byValue.set(value, start);
    }
    return start;
  }

  /** gcLines are the starts of the histogram lines of one GC kind (the kinds are four). */
  gcLines(kind: string): GcLines {
    let lines = this.gc.get(kind);
    if (!lines) {
      const name = FAMILIES.gc.name;
      const k = labelValue(kind);
      lines = {
        buckets: GC_BUCKETS.map((bound) => Buffer.from(`${name}_bucket{kind="${k}",le="${bound}"} `)),
        infinity: Buffer.from(`${name}_bucket{kind="${k}",le="+Inf"} `),
        sum: Buffer.from(`${name}_sum{kind="${k}"} `),
        count: Buffer.from(`${name}_count{kind="${k}"} `),
      };
      if (this.gc.size < MAX_VALUES) this.gc.set(kind, lines);
    }
    return lines;
  }
}
