// What the channel remembers of a service from earlier runs, read at most once a run: its bookmark
// (what is live, and since when) and the message the bookmark links (which hint where the time went
// that run gave). The channel is the pipe's only memory between runs; unknown is undefined, never
// a guess, and nothing here throws.
import { bookmarkKey, messageTsOf, rememberedIn } from './bookmark.ts';
import type { Notifier } from './client.ts';

export class ChannelMemory {
  private listed?: ReturnType<NonNullable<Notifier['bookmarks']>>;
  private hints?: Promise<ReadonlySet<string>>;

  constructor(
    private readonly notifier: Pick<Notifier, 'bookmarks' | 'payloadOf'>,
    private readonly environment: string,
  ) {}

  /** One bookmarks.list a run, however many services ask. */
  private bookmarks() {
    this.listed ??= this.notifier.bookmarks?.() ?? Promise.resolve(undefined);
    return this.listed;
  }

  /** The commit the channel's bookmark says is live for `service`, and since when when it says. */
  async liveOf(service: string): Promise<{ commit: string; at?: number } | undefined> {
    const key = bookmarkKey(this.environment, service);
    const found = (await this.bookmarks())?.find((b) => b.title.startsWith(key));
    return found ? rememberedIn(found, key) : undefined;
  }

  /** The hints (their keys) the last messages of `services` gave: one read of each message their bookmarks link. */
  hintsSaid(services: readonly string[]): Promise<ReadonlySet<string>> {
    this.hints ??= (async () => {
      const marks = (await this.bookmarks()) ?? [];
      const keys = services.map((s) => bookmarkKey(this.environment, s));
      const messages = new Set(marks.flatMap((b) => (keys.some((k) => b.title.startsWith(k)) ? [messageTsOf(b.link)] : [])).filter((ts) => ts !== undefined));
      const payloads = await Promise.all([...messages].map((ts) => this.notifier.payloadOf?.(ts)));
      return new Set(payloads.flatMap((p) => (typeof p?.time_hint === 'string' ? [p.time_hint] : [])));
    })();
    return this.hints;
  }
}
