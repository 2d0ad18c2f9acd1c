/**
 * A WAVE file (Microsoft RIFF, "WAVE" form: a `fmt ` chunk and a `data` chunk) of G.711 µ-law
 * audio: format tag 7 (WAVE_FORMAT_MULAW), 8000 Hz, 8 bits per sample, one channel per buffer
 * of `channels` (samples interleaved; the shorter ones padded with µ-law silence 0xFF).
 * Non-PCM formats carry cbSize (0) in `fmt ` (WAVEFORMATEX, 18 octets); the `data` chunk is
 * padded to an even length as RIFF requires.
 */
export function ulawWav(channels: readonly Buffer[], sampleRate = 8000): Buffer {
  const frames = Math.max(0, ...channels.map((c) => c.length));
  const audio = Buffer.alloc(frames * channels.length, 0xff);
  channels.forEach((c, ch) => {
    for (let i = 0; i < c.length; i++) audio[i * channels.length + ch] = c[i];
  });
  const fmt = Buffer.alloc(8 + 18);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(18, 4);
  fmt.writeUInt16LE(7, 8); // WAVE_FORMAT_MULAW
  fmt.writeUInt16LE(channels.length, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(sampleRate * channels.length, 16); // average bytes per second
  fmt.writeUInt16LE(channels.length, 20); // block align: one octet per sample and channel
  fmt.writeUInt16LE(8, 22); // bits per sample
  fmt.writeUInt16LE(0, 24); // cbSize
  const data = Buffer.alloc(8);
  data.write('data', 0, 'ascii');
  data.writeUInt32LE(audio.length, 4);
  const pad = Buffer.alloc(audio.length % 2);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(4 + fmt.length + data.length + audio.length + pad.length, 4);
  riff.write('WAVE', 8, 'ascii');
  return Buffer.concat([riff, fmt, data, audio, pad]);
}
