import { ulawWav } from './wav';

describe('µ-law WAVE file', () => {
  it('writes RIFF/WAVE with fmt (format 7, 8000 Hz, mono, 8 bit) and data, padded to even', () => {
    const audio = Buffer.from([0x01, 0x7f, 0x00]);
    const wav = ulawWav([audio]);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt32LE(16)).toBe(18);
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22)]).toEqual([7, 1]);
    expect([wav.readUInt32LE(24), wav.readUInt32LE(28)]).toEqual([8000, 8000]);
    expect([wav.readUInt16LE(32), wav.readUInt16LE(34), wav.readUInt16LE(36)]).toEqual([1, 8, 0]);
    expect(wav.toString('ascii', 38, 42)).toBe('data');
    expect(wav.readUInt32LE(42)).toBe(3);
    expect(wav.subarray(46, 49)).toEqual(audio);
    expect(wav).toHaveLength(50);
  });

  it('interleaves two channels (stereo), padding the shorter with µ-law silence', () => {
    const wav = ulawWav([Buffer.from([1, 2, 3]), Buffer.from([9])]);
    expect([wav.readUInt16LE(22), wav.readUInt32LE(28), wav.readUInt16LE(32)]).toEqual([
      2, 16000, 2,
    ]);
    expect(wav.readUInt32LE(42)).toBe(6);
    expect([...wav.subarray(46, 52)]).toEqual([1, 9, 2, 0xff, 3, 0xff]);
  });
});
