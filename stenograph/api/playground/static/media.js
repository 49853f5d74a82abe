// Audio this tab sent, by transcript id: an object URL of the browser's own File or recording, so
// the transcript page can play it (the server keeps no playable copy for the browser).

const urls = new Map();

export function rememberAudio(transcriptId, blob) {
  forgetAudio(transcriptId);
  urls.set(transcriptId, URL.createObjectURL(blob));
}

export function audioUrl(transcriptId) {
  return urls.get(transcriptId) || null;
}

export function forgetAudio(transcriptId) {
  const url = urls.get(transcriptId);
  if (url) URL.revokeObjectURL(url);
  urls.delete(transcriptId);
}
