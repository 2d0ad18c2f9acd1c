import { crc32, deflateSync } from 'node:zlib';

/** RGB colour. */
export type Rgb = readonly [number, number, number];

/** A minimal truecolour PNG (PNG spec: signature, IHDR, one IDAT, IEND; filter 0 per row). */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, filter 0, no interlace
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++)
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 3×5 glyphs for axis labels: digits and a few letters, one row of 3 bits per line. */
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 3, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 2, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2],
  k: [4, 5, 6, 5, 5],
  m: [0, 7, 7, 5, 5],
  s: [0, 3, 6, 1, 6],
  p: [0, 7, 5, 7, 4],
  e: [0, 7, 7, 4, 7],
  v: [0, 5, 5, 5, 2],
  '/': [1, 1, 2, 4, 4],
  ' ': [0, 0, 0, 0, 0],
};

class Canvas {
  readonly px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 3).fill(255);
  }
  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    this.px.set(c, (y * this.w + x) * 3);
  }
  /** Line with thickness `t` (Bresenham-like stepping). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, t = 1): void {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * i) / n;
      for (let dx = 0; dx < t; dx++) for (let dy = 0; dy < t; dy++) this.set(x + dx, y + dy, c);
    }
  }
  text(x: number, y: number, s: string, c: Rgb, scale = 2): void {
    for (const ch of s) {
      (GLYPHS[ch] ?? GLYPHS[' ']).forEach((row, r) => {
        for (let b = 0; b < 3; b++)
          if (row & (4 >> b))
            for (let i = 0; i < scale; i++)
              for (let j = 0; j < scale; j++) this.set(x + b * scale + i, y + r * scale + j, c);
      });
      x += 4 * scale;
    }
  }
}

export interface Series {
  /** Legend text (digits and the letters of GLYPHS). */
  label: string;
  colour: Rgb;
  points: Array<[number, number]>;
}

/**
 * A line chart as PNG: x from 0 to the largest x, y from 0 to the largest y (labelled at the
 * axes' ends and midpoints), one polyline with dots per series, legend swatches at the top
 * right with the series' labels.
 */
export function lineChartPng(series: Series[], xLabel: string, yLabel: string): Buffer {
  const W = 640;
  const H = 400;
  const L = 70;
  const B = 50;
  const T = 30;
  const R = 20;
  const cv = new Canvas(W, H);
  const grey: Rgb = [200, 200, 200];
  const black: Rgb = [0, 0, 0];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys) * 1.1;
  const px = (x: number) => L + (x / xMax) * (W - L - R);
  const py = (y: number) => H - B - (y / yMax) * (H - B - T);
  for (let i = 0; i <= 4; i++) {
    cv.line(L, py((yMax * i) / 4), W - R, py((yMax * i) / 4), grey);
    cv.line(px((xMax * i) / 4), T, px((xMax * i) / 4), H - B, grey);
    cv.text(4, py((yMax * i) / 4) - 5, short((yMax * i) / 4), black);
    cv.text(px((xMax * i) / 4) - 12, H - B + 8, short((xMax * i) / 4), black);
  }
  cv.line(L, H - B, W - R, H - B, black, 2);
  cv.line(L, T, L, H - B, black, 2);
  cv.text(W / 2 - 30, H - 18, xLabel, black);
  cv.text(4, 8, yLabel, black);
  series.forEach((s, i) => {
    cv.line(W - R - 90, T + 6 + i * 14, W - R - 60, T + 6 + i * 14, s.colour, 4);
    cv.text(W - R - 52, T + 2 + i * 14, s.label, black);
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    pts.forEach(([x, y], j) => {
      if (j > 0) cv.line(px(pts[j - 1][0]), py(pts[j - 1][1]), px(x), py(y), s.colour, 2);
      for (let d = -3; d <= 3; d++) cv.line(px(x) - 3, py(y) + d, px(x) + 3, py(y) + d, s.colour);
    });
  });
  return encodePng(W, H, cv.px);
}

function short(v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 100) return String(Math.round(v));
  return v.toFixed(1);
}
