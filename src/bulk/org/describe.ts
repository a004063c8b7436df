// The org's sObject list and per-object describe, each read once per run (per client) and cached.
// Concurrent requests for the same describe share one HTTP call.
import { NotFoundError } from '../errors.js';
import type { CallOptions } from '../jobs/job-context.js';
import type { Session } from '../auth/session.js';

export interface SObjectSummary {
  readonly name: string;
  readonly label: string;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly custom: boolean;
  readonly keyPrefix: string | null;
  readonly [more: string]: unknown;
}

export interface GlobalDescribe {
  readonly encoding?: string;
  readonly maxBatchSize?: number;
  readonly sobjects: readonly SObjectSummary[];
}

export interface PicklistEntry {
  readonly value: string;
  readonly active: boolean;
  readonly label?: string;
  readonly defaultValue?: boolean;
}

export interface FieldDescribe {
  readonly name: string;
  readonly label: string;
  readonly type: string;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly unique: boolean;
  readonly calculated: boolean;
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
  readonly compoundFieldName: string | null;
  readonly picklistValues: readonly PicklistEntry[];
  readonly restrictedPicklist: boolean;
  readonly [more: string]: unknown;
}

export interface SObjectDescribe {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string | null;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable?: boolean;
  readonly deletable?: boolean;
  readonly fields: readonly FieldDescribe[];
  readonly [more: string]: unknown;
}

export class DescribeCache {
  private global: Promise<GlobalDescribe> | undefined;
  private readonly objects = new Map<string, Promise<SObjectDescribe>>();

  constructor(private readonly session: Session) {}

  /** `GET /sobjects/`: every sObject the user can see. */
  sobjects(options: CallOptions = {}): Promise<GlobalDescribe> {
    if (!this.global) {
      this.global = this.session.json<GlobalDescribe>({ method: 'GET', path: this.session.dataPath('sobjects/'), signal: options.signal });
      this.global.catch(() => (this.global = undefined));
    }
    return this.global;
  }

  /** `GET /sobjects/<name>/describe/`. An unknown object is a NotFoundError naming it. */
  describe(name: string, options: CallOptions = {}): Promise<SObjectDescribe> {
    const key = name.toLowerCase();
    let p = this.objects.get(key);
    if (!p) {
      p = this.fetch(name, options);
      this.objects.set(key, p);
      p.catch(() => this.objects.delete(key));
    }
    return p;
  }

  /** Forgets everything (a new run reads describe afresh). */
  clear(): void {
    this.global = undefined;
    this.objects.clear();
  }

  private async fetch(name: string, options: CallOptions): Promise<SObjectDescribe> {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new NotFoundError(`"${name}" is not an sObject API name`);
    try {
      return await this.session.json<SObjectDescribe>({
        method: 'GET',
        path: this.session.dataPath(`sobjects/${encodeURIComponent(name)}/describe/`),
        signal: options.signal,
      });
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new NotFoundError(`sObject "${name}" does not exist in the org or is not visible to the user: check the object's API name (not its label) and permissions`, {
          status: e.status,
          errorCode: e.errorCode,
          request: e.request,
          cause: e,
        });
      }
      throw e;
    }
  }
}
