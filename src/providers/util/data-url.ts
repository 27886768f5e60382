/** `data:<media type>[;params];base64,<data>` → parts; undefined when the URL is not a base64 data URL. */
export function parseDataUrl(url: string): { mediaType: string; base64: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(';base64')) return undefined;
  const semi = meta.indexOf(';');
  const mediaType = (semi === -1 ? meta : meta.slice(0, semi)).toLowerCase() || 'application/octet-stream';
  return { mediaType, base64: url.slice(comma + 1) };
}

export function toDataUrl(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}
