// The run's STATE as it evolves: bookmarks change here, and every change that a resumed run must see is
// written to stdout (after every RECORD it covers, since one writer carries both).
import type { SingerWriter } from '../streams/singer-writer.js';
import { stateValue, type StreamBookmark, type TapState } from './tap-state.js';

export class StateBook {
  private state: TapState;

  constructor(
    initial: TapState,
    private readonly writer: SingerWriter,
  ) {
    this.state = initial;
  }

  get current(): TapState {
    return this.state;
  }

  bookmark(stream: string): StreamBookmark | undefined {
    return this.state.bookmarks[stream];
  }

  setBookmark(stream: string, b: StreamBookmark): void {
    this.state = { ...this.state, bookmarks: { ...this.state.bookmarks, [stream]: b } };
  }

  setCurrentlySyncing(stream: string | null): void {
    this.state = { ...this.state, currently_syncing: stream };
  }

  async emit(): Promise<void> {
    await this.writer.state(stateValue(this.state));
  }
}
