/**
 * SHA-256 (FIPS 180-4), synchronous and dependency-free. Imported record ids are derived from
 * record content (see identity.ts) in Node and in the browser's import dialog alike; WebCrypto's
 * digest is async only, and an id that depended on which runtime computed it would duplicate
 * records, so both run this same code.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

// Buffers shared by every call: ids are hashed in tight loops of tens of thousands, and
// allocating per call tripled the cost.
const W = new Int32Array(64)
const H = new Int32Array(8)
let block = new Uint8Array(128)

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

function compress(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4
    W[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3]
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]
    const b = W[i - 2]
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
    W[i] = W[i - 16] + s0 + W[i - 7] + s1
  }
  let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7]
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  H[0] += a
  H[1] += b
  H[2] += c
  H[3] += d
  H[4] += e
  H[5] += f
  H[6] += g
  H[7] += h
}

/** The 32-byte digest of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  H.set(INITIAL)
  const full = data.length - (data.length % 64)
  for (let offset = 0; offset < full; offset += 64) compress(data, offset)
  // The tail, 0x80, zero padding and the 64-bit big-endian bit length fill one or two blocks.
  const rest = data.length - full
  const tailLength = rest + 9 <= 64 ? 64 : 128
  if (block.length < tailLength) block = new Uint8Array(128)
  block.fill(0, 0, tailLength)
  block.set(data.subarray(full), 0)
  block[rest] = 0x80
  const bits = data.length * 8
  const high = Math.floor(bits / 0x1_0000_0000)
  for (let i = 0; i < 4; i++) {
    block[tailLength - 8 + i] = (high >>> (24 - i * 8)) & 0xff
    block[tailLength - 4 + i] = (bits >>> (24 - i * 8)) & 0xff
  }
  compress(block, 0)
  if (tailLength === 128) compress(block, 64)
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    out[i * 4] = H[i] >>> 24
    out[i * 4 + 1] = (H[i] >>> 16) & 0xff
    out[i * 4 + 2] = (H[i] >>> 8) & 0xff
    out[i * 4 + 3] = H[i] & 0xff
  }
  return out
}

const encoder = new TextEncoder()
let utf8 = new Uint8Array(256)
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Hex of the first `bytes` bytes (all 32 by default) of the digest of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string, bytes = 32): string {
  // encodeInto a reused buffer: the ids of a 50,000-row file were spending more on allocation than hashing.
  if (utf8.length < text.length * 3) utf8 = new Uint8Array(text.length * 3)
  const { written } = encoder.encodeInto(text, utf8)
  const digest = sha256(utf8.subarray(0, written))
  let hex = ''
  for (let i = 0; i < bytes; i++) hex += HEX[digest[i]]
  return hex
}
