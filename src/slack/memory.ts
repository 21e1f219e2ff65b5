// What the channel remembers of a service from earlier runs, read at most once a run: its bookmark
// (what is live, and since when) and the message the bookmark links (its metadata: the full commit,
// and which hint where the time went that run gave). The channel is the pipe's only memory between
// runs; unknown is undefined, never a guess, and nothing here throws.
import { isCommit, sameCommit } from '../core/changes.ts';
import { bookmarkKey, messageTsOf, rememberedIn } from './bookmark.ts';
import type { Notifier } from './client.ts';

export class ChannelMemory {
  private listed?: ReturnType<NonNullable<Notifier['bookmarks']>>;
  private hints?: Promise<ReadonlySet<string>>;
  /** Each linked message's metadata, read once however many services link it. */
  private readonly payloads = new Map<string, Promise<Record<string, unknown> | undefined>>();

  constructor(
    private readonly notifier: Pick<Notifier, 'bookmarks' | 'payloadOf'>,
    private readonly environment: string,
  ) {}

  /** One bookmarks.list a run, however many services ask. */
  private bookmarks() {
    this.listed ??= this.notifier.bookmarks?.() ?? Promise.resolve(undefined);
    return this.listed;
  }

  private payload(ts: string) {
    let read = this.payloads.get(ts);
    if (!read) {
      read = this.notifier.payloadOf?.(ts) ?? Promise.resolve(undefined);
      this.payloads.set(ts, read);
    }
    return read;
  }

  /**
   * The commit the channel's bookmark says is live for `service` (in full when the message it links
   * deployed that commit: the title shows 7 characters), and since when when it says.
   */
  async liveOf(service: string): Promise<{ commit: string; at?: number } | undefined> {
    const key = bookmarkKey(this.environment, service);
    const found = (await this.bookmarks())?.find((b) => b.title.startsWith(key));
    const remembered = found ? rememberedIn(found, key) : undefined;
    const ts = messageTsOf(found?.link);
    if (!remembered || !ts) return remembered;
    // After a failure the bookmark links the failed run's message: its commit is not the one still live.
    const full = (await this.payload(ts))?.commit;
    return isCommit(full) && sameCommit(full, remembered.commit) ? { ...remembered, commit: full } : remembered;
  }

  /** The hints (their keys) the last messages of `services` gave: one read of each message their bookmarks link. */
  hintsSaid(services: readonly string[]): Promise<ReadonlySet<string>> {
    this.hints ??= (async () => {
      const marks = (await this.bookmarks()) ?? [];
      const keys = services.map((s) => bookmarkKey(this.environment, s));
      const messages = new Set(marks.flatMap((b) => (keys.some((k) => b.title.startsWith(k)) ? [messageTsOf(b.link)] : [])).filter((ts) => ts !== undefined));
      const payloads = await Promise.all([...messages].map((ts) => this.payload(ts)));
      return new Set(payloads.flatMap((p) => (typeof p?.time_hint === 'string' ? [p.time_hint] : [])));
    })();
    return this.hints;
  }
}
