// The Singer protocol's message shapes (https://hub.meltano.com/singer/spec). Protocol layer only: no Salesforce
// words here. The tap writes these; the target reads them. Parse at the edge, then trust these types inside.

/** A JSON Schema as Singer carries it: an object, kept open because streams bring their own keywords. */
export type JsonSchema = { [key: string]: unknown };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}

export interface RecordMessage {
  type: 'RECORD';
  stream: string;
  record: { [field: string]: JsonValue };
  /** ISO 8601 UTC, when the tap read the row. */
  time_extracted?: string;
  version?: number;
}

export interface StateMessage {
  type: 'STATE';
  value: JsonValue;
}

export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}

export type SingerMessage = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;

export type SingerMessageType = SingerMessage['type'];
