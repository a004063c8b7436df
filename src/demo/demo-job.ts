// What the demo moves and how: the streams, their fields, and the tap and target configs for two emulator orgs.
// Kept as data so the README, the test and the demo agree.

/** The fields each stream carries (besides Id and the replication key, which the tap always sends). */
export const DEMO_STREAMS = {
  Account: ['External_Id__c', 'Name', 'Type', 'Industry', 'Phone', 'Website', 'BillingCity', 'BillingState', 'BillingCountry', 'AnnualRevenue', 'NumberOfEmployees', 'Rating'],
  Contact: ['External_Id__c', 'FirstName', 'LastName', 'Email', 'Phone', 'Title', 'Department', 'MailingCity', 'LeadSource', 'Birthdate'],
} as const;

export type DemoStream = keyof typeof DEMO_STREAMS;

/**
 * A Contact's Account, by the Account's external id: the tap reads it from the parent (config `relationship_fields`)
 * into a column of this name, and the target loads that column as the relationship column of the same name. The
 * source org's AccountId would mean nothing in the destination org, so it is not extracted at all.
 */
export const PARENT_COLUMN = 'Account.External_Id__c';

export const emulatorConnection = (url: string) => ({
  auth_flow: 'client_credentials',
  login_url: url,
  client_id: 'emulator-client',
  client_secret: 'emulator-secret',
});

export function tapConfig(url: string): Record<string, unknown> {
  return {
    ...emulatorConnection(url),
    streams_to_discover: Object.keys(DEMO_STREAMS),
    include_deleted: false,
    relationship_fields: { Contact: [PARENT_COLUMN] },
  };
}

export function targetConfig(url: string, dirs: { state: string; failed: string }): Record<string, unknown> {
  // The source org's Ids and timestamps mean nothing in the destination org: they are dropped.
  const dropped = { Id: null, SystemModstamp: null };
  return {
    ...emulatorConnection(url),
    state_dir: dirs.state,
    failed_records_dir: dirs.failed,
    unmapped_streams: 'fail',
    streams: {
      Account: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c', field_map: dropped },
      Contact: {
        object: 'Contact',
        operation: 'upsert',
        external_id_field: 'External_Id__c',
        field_map: { ...dropped, [PARENT_COLUMN]: PARENT_COLUMN },
        depends_on: ['Account'],
      },
    },
  };
}

interface CatalogEntry {
  tap_stream_id: string;
  metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
}

/** The discovered catalog with one stream selected, and of its fields only `fields` (automatic ones stay). */
export function selectStream(catalog: { streams: CatalogEntry[] }, stream: DemoStream): { streams: CatalogEntry[] } {
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  if (!entry) throw new Error(`discovery found no ${stream} stream`);
  const copy = structuredClone(entry);
  const wanted = new Set<string>(DEMO_STREAMS[stream]);
  for (const m of copy.metadata) {
    if (m.breadcrumb.length === 0) m.metadata.selected = true;
    else if (m.breadcrumb[0] === 'properties' && m.metadata.inclusion === 'available') m.metadata.selected = wanted.has(m.breadcrumb[1]!);
  }
  return { streams: [copy] };
}
