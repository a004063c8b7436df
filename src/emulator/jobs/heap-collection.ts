// Garbage collection at a moment the emulator chooses. A large ingest job leaves hundreds of MB of garbage (the
// upload, replaced values, grown indexes) in a heap of GBs, and V8 marks the whole heap when it next decides to:
// after a 1M-row upsert into 2M Accounts that was the client's first result download, where one mark of 1.7 GB took
// a CPU-second from the download being measured (bench/emulator-http.mjs). Collecting before the job reports its
// terminal state puts that cost where Salesforce's own time goes, in processing, while the client is only polling.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

function collect(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

export class HeapCollection {
  private rowsSince = 0;

  /** `everyRows`: rows written by ingest jobs between collections; 0 never collects. */
  constructor(private readonly everyRows: number) {}

  /** An ingest job wrote `rows` rows and is about to report its state: true when a collection is due (and ran). */
  afterIngest(rows: number): boolean {
    if (this.everyRows <= 0) return false;
    this.rowsSince += rows;
    if (this.rowsSince < this.everyRows) return false;
    this.rowsSince = 0;
    collect();
    return true;
  }
}
