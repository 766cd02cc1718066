// A real (small) WAV file like MixMonitor writes: 8 kHz, 16-bit, mono PCM. The simulator fills it
// with a quiet two-tone signal so players show a waveform; an empty recording is the bare 44-byte header.
// While MixMonitor records, the header's RIFF and data sizes are 0 (they are written when the file
// is closed), which is also what a kill -9 leaves behind.

export function wavHeader(dataBytes: number, sampleRate = 8000, open = false): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(open ? 0 : 36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);          // PCM chunk size
  h.writeUInt16LE(1, 20);           // PCM
  h.writeUInt16LE(1, 22);           // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(open ? 0 : dataBytes, 40);
  return h;
}

export function wavFile(seconds: number, sampleRate = 8000): Buffer {
  const samples = Math.max(0, Math.round(seconds * sampleRate));
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    const v = 0.15 * Math.sin(2 * Math.PI * 425 * t) + 0.1 * Math.sin(2 * Math.PI * 180 * t);
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  return Buffer.concat([wavHeader(data.length, sampleRate), data]);
}
