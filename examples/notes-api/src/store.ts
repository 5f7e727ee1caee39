// Where notes live: an interface the app depends on, and an in-memory store (per Lambda instance; swap in DynamoDB for real use).
import { randomUUID } from "node:crypto";

export interface Note {
  readonly id: string;
  /** The verified `sub` of the user who wrote it: the only key access is decided by. */
  readonly owner: string;
  readonly text: string;
  readonly createdAt: string;
}

export interface NoteStore {
  list(owner: string): Promise<Note[]>;
  listAll(): Promise<Note[]>;
  get(owner: string, id: string): Promise<Note | undefined>;
  add(owner: string, text: string): Promise<Note>;
  remove(owner: string, id: string): Promise<boolean>;
}

/** A store in this instance's memory: enough for the example and its tests. */
export function memoryStore(): NoteStore {
  const notes = new Map<string, Note>();
  return {
    list: (owner) => Promise.resolve([...notes.values()].filter((n) => n.owner === owner)),
    listAll: () => Promise.resolve([...notes.values()]),
    get: (owner, id) => {
      const note = notes.get(id);
      return Promise.resolve(note?.owner === owner ? note : undefined);
    },
    add: (owner, text) => {
      const note = { id: randomUUID(), owner, text, createdAt: new Date().toISOString() };
      notes.set(note.id, note);
      return Promise.resolve(note);
    },
    remove: (owner, id) => {
      if (notes.get(id)?.owner !== owner) return Promise.resolve(false);
      return Promise.resolve(notes.delete(id));
    },
  };
}
