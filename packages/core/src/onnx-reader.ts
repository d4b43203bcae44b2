/**
 * A minimal read-only ONNX (protobuf) reader: `metadata_props`, the opset, and the graph's input and
 * output names, element types and shapes. ORT's JS API exposes names (and, since 1.22, shapes) but not
 * `metadata_props`, and pulling `protobufjs` into the browser bundle only for that would be wasteful:
 * a varint reader that skips every other field is ~100 lines.
 *
 * Field numbers follow onnx.proto: ModelProto{ir_version 1, producer_name 2, producer_version 3,
 * graph 7, opset_import 8, metadata_props 14}, GraphProto{initializer 5, input 11, output 12},
 * ValueInfoProto{name 1, type 2}, TypeProto{tensor_type 1}, TypeProto.Tensor{elem_type 1, shape 2},
 * TensorShapeProto{dim 1}, Dimension{dim_value 1, dim_param 2}, StringStringEntryProto{key 1, value 2},
 * OperatorSetIdProto{domain 1, version 2}, TensorProto{name 8}.
 *
 * Moved here from `@interpret-fr/inference` so that the exporter (which seals models with a
 * checksum, see `onnx-metadata.ts`) and every runtime read models with one parser.
 *
 * @module
 */

import { InterpretFrError } from './errors.ts';

/** One graph input or output. `shape` holds numbers for fixed dims and strings for symbolic ones. */
export interface OnnxValueInfo {
  name: string;
  /** ONNX TensorProto.DataType (1 = float32). 0 when absent. */
  elemType: number;
  /** null when the model declares no shape. */
  shape: (number | string)[] | null;
}

/** What {@link readOnnxInfo} extracts from a model file. */
export interface OnnxInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Opset versions by domain ('' = ai.onnx). */
  opsets: Record<string, number>;
  /** `metadata_props` as a plain object (later duplicates win). */
  metadata: Record<string, string>;
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Malformed protobuf: says where (byte offset) and what. */
export class OnnxParseError extends InterpretFrError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message, { code: 'format' });
    this.name = 'OnnxParseError';
  }
}

const utf8 = new TextDecoder('utf-8');

/** Cursor over a byte range; `end` bounds nested messages. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    // Multiplication, not bit operations: int64 values above 2^31 must stay exact up to 2^53.
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxParseError(`truncated varint at byte ${this.pos}`, this.pos);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new OnnxParseError(`varint longer than 10 bytes at byte ${this.pos}`, this.pos);
  }
  /** Returns [start, end) of a length-delimited field's payload and moves past it. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new OnnxParseError(`field of ${len} bytes at byte ${start} runs past its message end ${this.end}`, start);
    this.pos = end;
    return [start, end];
  }
  string(): string {
    const [s, e] = this.bytes();
    return utf8.decode(this.buf.subarray(s, e));
  }
  sub(): Reader {
    const [s, e] = this.bytes();
    return new Reader(this.buf, s, e);
  }
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new OnnxParseError(`unsupported protobuf wire type ${wireType} at byte ${this.pos}`, this.pos);
    }
    if (this.pos > this.end) throw new OnnxParseError(`fixed-width field runs past its message end ${this.end}`, this.pos);
  }
  /** Iterates (fieldNumber, wireType) tags. */
  *fields(): Generator<[number, number]> {
    while (!this.done()) {
      const tag = this.varint();
      yield [Math.floor(tag / 8), tag % 8];
    }
  }
}

function readShape(r: Reader): (number | string)[] {
  const dims: (number | string)[] = [];
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) {
      const d = r.sub();
      let dim: number | string = '?';
      for (const [g, v] of d.fields()) {
        if (g === 1 && v === 0) dim = d.varint();
        else if (g === 2 && v === 2) dim = d.string();
        else d.skip(v);
      }
      dims.push(dim);
    } else r.skip(w);
  }
  return dims;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) info.name = r.string();
    else if (f === 2 && w === 2) {
      const t = r.sub();
      for (const [g, v] of t.fields()) {
        if (g === 1 && v === 2) {
          const tt = t.sub();
          for (const [h, u] of tt.fields()) {
            if (h === 1 && u === 0) info.elemType = tt.varint();
            else if (h === 2 && u === 2) info.shape = readShape(tt.sub());
            else tt.skip(u);
          }
        } else t.skip(v);
      }
    } else r.skip(w);
  }
  return info;
}

function readTensorName(r: Reader): string {
  for (const [f, w] of r.fields()) {
    if (f === 8 && w === 2) return r.string();
    r.skip(w);
  }
  return '';
}

/** One top-level ModelProto field: number, wire type and its byte range [start, end) including the tag. */
export interface OnnxTopField {
  field: number;
  wireType: number;
  start: number;
  end: number;
  /** Payload range of a length-delimited field. */
  payload?: [number, number];
}

/** Splits model bytes into their top-level fields (no nested decoding). @throws {OnnxParseError} */
export function onnxTopLevelFields(bytes: Uint8Array): OnnxTopField[] {
  const r = new Reader(bytes, 0, bytes.length);
  const out: OnnxTopField[] = [];
  while (!r.done()) {
    const start = r.pos;
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new OnnxParseError(`field number 0 at byte ${start}`, start);
    if (wireType === 2) {
      const payload = r.bytes();
      out.push({ field, wireType, start, end: r.pos, payload });
    } else {
      r.skip(wireType);
      out.push({ field, wireType, start, end: r.pos });
    }
  }
  return out;
}

/** Key and value of a `StringStringEntryProto` payload. @throws {OnnxParseError} */
export function readMetadataEntry(bytes: Uint8Array, start: number, end: number): { key: string; value: string } {
  const e = new Reader(bytes, start, end);
  let key = '';
  let value = '';
  for (const [g, v] of e.fields()) {
    if (g === 1 && v === 2) key = e.string();
    else if (g === 2 && v === 2) value = e.string();
    else e.skip(v);
  }
  return { key, value };
}

/**
 * Reads the model's metadata and graph signature without decoding weights (initializers are skipped
 * by length, so a 20 MB model parses in well under a millisecond of work per field).
 *
 * @throws {OnnxParseError} when the bytes are not a well-formed protobuf.
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxInfo {
  // Null-prototype maps: a key such as '__proto__' in a (hostile) model stays plain data.
  const info: OnnxInfo = {
    irVersion: 0,
    producerName: '',
    producerVersion: '',
    opsets: Object.create(null) as Record<string, number>,
    metadata: Object.create(null) as Record<string, string>,
    inputs: [],
    outputs: [],
  };
  const r = new Reader(bytes, 0, bytes.length);
  let rawInputs: OnnxValueInfo[] = [];
  const initNames = new Set<string>();
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 0) info.irVersion = r.varint();
    else if (f === 2 && w === 2) info.producerName = r.string();
    else if (f === 3 && w === 2) info.producerVersion = r.string();
    else if (f === 8 && w === 2) {
      const o = r.sub();
      let domain = '';
      let version = 0;
      for (const [g, v] of o.fields()) {
        if (g === 1 && v === 2) domain = o.string();
        else if (g === 2 && v === 0) version = o.varint();
        else o.skip(v);
      }
      info.opsets[domain] = version;
    } else if (f === 14 && w === 2) {
      const [s, e] = r.bytes();
      const { key, value } = readMetadataEntry(bytes, s, e);
      info.metadata[key] = value;
    } else if (f === 7 && w === 2) {
      const g = r.sub();
      for (const [h, v] of g.fields()) {
        if (h === 11 && v === 2) rawInputs.push(readValueInfo(g.sub()));
        else if (h === 12 && v === 2) info.outputs.push(readValueInfo(g.sub()));
        else if (h === 5 && v === 2) initNames.add(readTensorName(g.sub()));
        else g.skip(v);
      }
    } else r.skip(w);
  }
  if (info.irVersion === 0 && info.inputs.length === 0 && info.outputs.length === 0 && rawInputs.length === 0) {
    throw new OnnxParseError(`not an ONNX model: no ir_version and no graph found in ${bytes.length} bytes`, 0);
  }
  rawInputs = rawInputs.filter((i) => !initNames.has(i.name));
  info.inputs = rawInputs;
  return info;
}
