/**
 * Typings for `slipstream-client/react`: `useTopic(client, name)`, a `useSyncExternalStore`
 * hook over a topic's live rows.
 */
import type { Position, Row, Slipstream, Topic, TopicState } from './slipstream.js';

/** What `useTopic` returns; a new object on every update, `version` counting them. */
export interface TopicSnapshot<R extends Row = Row> {
  /** The topic's rows (the live Map; do not modify). Empty until the topic exists. */
  readonly rows: ReadonlyMap<string, R>;
  /** Grows by one on every update of the rows or the topic's state. */
  readonly version: number;
  readonly state: TopicState;
  readonly position: Position | null;
  /** The subscription itself, null before the first subscriber. */
  readonly topic: Topic<R> | null;
}

/** A topic as an external store (`useSyncExternalStore`'s two functions). */
export interface TopicStore<R extends Row = Row> {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): TopicSnapshot<R>;
}

/** The shared store of one topic on one client. */
export declare function topicStore<R extends Row = Row>(client: Slipstream, name: string): TopicStore<R>;

/** The live rows of `name`, re-rendering on every change. */
export declare function useTopic<R extends Row = Row>(client: Slipstream, name: string): TopicSnapshot<R>;
