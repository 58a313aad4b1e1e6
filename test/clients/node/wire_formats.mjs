// The types' binary wire formats (network byte order), written here from the
// format description so the tests can check what the server sends:
//   vector     int16 dim, int16 unused (0), float4 x dim
//   halfvec    int16 dim, int16 unused (0), IEEE half x dim
//   sparsevec  int32 dim, int32 nnz, int32 unused (0), int32 index x nnz
//              (0-based), float4 value x nnz

// vector and halfvec: the int16 header, then elementSize-byte elements that
// write(buffer, element, offset) stores and read(buffer, offset) loads.
function encodeDense(elements, elementSize, write) {
  const buffer = Buffer.alloc(4 + elementSize * elements.length);
  buffer.writeInt16BE(elements.length, 0);
  buffer.writeInt16BE(0, 2);
  elements.forEach((element, i) => write(buffer, element, 4 + elementSize * i));
  return buffer;
}

function decodeDense(buffer, elementSize, read) {
  const dim = buffer.readInt16BE(0);
  if (buffer.readInt16BE(2) !== 0) throw new Error('unused field is not 0');
  if (buffer.length !== 4 + elementSize * dim) throw new Error(`${buffer.length} bytes for ${dim} dimensions`);
  return Array.from({ length: dim }, (_, i) => read(buffer, 4 + elementSize * i));
}

export function encodeVector(values) {
  return encodeDense(values, 4, (buffer, value, offset) => buffer.writeFloatBE(value, offset));
}

export function decodeVector(buffer) {
  return decodeDense(buffer, 4, (buffer, offset) => buffer.readFloatBE(offset));
}

// IEEE binary16 bits -> the number they stand for (exactly; every half is a double).
export function halfBitsToNumber(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

export function encodeHalfvec(halfBits) {
  return encodeDense(halfBits, 2, (buffer, bits, offset) => buffer.writeUInt16BE(bits, offset));
}

export function decodeHalfvecBits(buffer) {
  return decodeDense(buffer, 2, (buffer, offset) => buffer.readUInt16BE(offset));
}

export function encodeSparsevec(dimensions, indices, values) {
  const nnz = indices.length;
  const buffer = Buffer.alloc(12 + 8 * nnz);
  buffer.writeInt32BE(dimensions, 0);
  buffer.writeInt32BE(nnz, 4);
  buffer.writeInt32BE(0, 8);
  indices.forEach((index, i) => buffer.writeInt32BE(index, 12 + 4 * i));
  values.forEach((value, i) => buffer.writeFloatBE(value, 12 + 4 * nnz + 4 * i));
  return buffer;
}

export function decodeSparsevec(buffer) {
  const dimensions = buffer.readInt32BE(0);
  const nnz = buffer.readInt32BE(4);
  if (buffer.readInt32BE(8) !== 0) throw new Error('unused field is not 0');
  if (buffer.length !== 12 + 8 * nnz) throw new Error(`${buffer.length} bytes for ${nnz} non-zero elements`);
  const indices = Array.from({ length: nnz }, (_, i) => buffer.readInt32BE(12 + 4 * i));
  const values = Array.from({ length: nnz }, (_, i) => buffer.readFloatBE(12 + 4 * nnz + 4 * i));
  return { dimensions, indices, values };
}

// A seeded generator (mulberry32), so every run tests the same values.
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A float32 (as a number) from 32 bits.
export function float32FromBits(bits) {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(bits >>> 0, 0);
  return buffer.readFloatBE(0);
}
