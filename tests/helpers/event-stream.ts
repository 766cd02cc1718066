// Reads a text/event-stream body and hands over each event as it arrives (with its arrival time),
// for the screen-pop tests and the screen-pop benchmark alike.
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string, at: number) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const at = performance.now();
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(event, data, at);
      }
    }
  } catch { /* aborted */ }
}
