/**
 * Reads an ONNX model back into plain objects (graph inspection in tests, torch-file
 * comparisons, the CLI's summary). Only the fields of {@link ONNX_PROTO_SUBSET} are read.
 *
 * @module
 */
import { DataType, modelProtoType } from './onnx-schema.ts';

/** Attribute value, by the attribute's type. */
export type AttrValue = number | number[] | string | DecodedTensor;

/** A decoded node. */
export interface DecodedNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

/** A decoded initializer or tensor attribute. `data` is null for types we do not read. */
export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | null;
  /** Number of elements actually stored (raw_data or typed fields). */
  storedElements: number;
}

/** Graph input or output: name, element type, dims (number, or the symbolic name). */
export interface DecodedValueInfo {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

/** A decoded model. */
export interface DecodedModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: {
    name: string;
    nodes: DecodedNode[];
    initializers: DecodedTensor[];
    inputs: DecodedValueInfo[];
    outputs: DecodedValueInfo[];
  };
}

// biome-ignore lint/suspicious/noExplicitAny: protobufjs decodes to untyped message objects; `num`/`str` check each field read
type Msg = any;

const ELEM_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT32]: 4, [DataType.INT64]: 8, [DataType.UINT8]: 1, [DataType.BOOL]: 1 };

function num(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && 'toNumber' in (v as object)) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function decodeTensor(t: Msg): DecodedTensor {
  const dims = (t.dims ?? []).map(num);
  const dataType = num(t.data_type);
  const raw: Uint8Array | undefined = t.raw_data && t.raw_data.length > 0 ? t.raw_data : undefined;
  let data: DecodedTensor['data'] = null;
  let storedElements = 0;
  if (raw) {
    const eb = ELEM_BYTES[dataType];
    storedElements = eb ? raw.byteLength / eb : raw.byteLength;
    const copy = new Uint8Array(raw).buffer; // copies (Buffer#slice would share the pool)
    if (dataType === DataType.FLOAT) data = new Float32Array(copy);
    else if (dataType === DataType.INT32) data = new Int32Array(copy);
    else if (dataType === DataType.INT64) data = new BigInt64Array(copy);
    else if (dataType === DataType.UINT8 || dataType === DataType.BOOL) data = new Uint8Array(copy);
  } else if (t.float_data?.length) {
    data = Float32Array.from(t.float_data);
    storedElements = data.length;
  } else if (t.int64_data?.length) {
    data = BigInt64Array.from(t.int64_data.map((v: unknown) => BigInt(num(v))));
    storedElements = data.length;
  } else if (t.int32_data?.length) {
    data = Int32Array.from(t.int32_data);
    storedElements = data.length;
  }
  return { name: t.name ?? '', dims, dataType, data, storedElements };
}

function decodeValueInfo(v: Msg): DecodedValueInfo {
  const tt = v.type?.tensor_type;
  const dims = (tt?.shape?.dim ?? []).map((d: Msg) => (d.dim_param ? String(d.dim_param) : num(d.dim_value)));
  return { name: v.name ?? '', elemType: num(tt?.elem_type), dims };
}

function decodeAttr(a: Msg): AttrValue {
  switch (num(a.type)) {
    case 1:
      return a.f ?? 0;
    case 2:
      return num(a.i);
    case 3:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case 4:
      return decodeTensor(a.t);
    case 6:
      return [...(a.floats ?? [])];
    case 7:
      return (a.ints ?? []).map(num);
    default:
      throw new Error(`decodeOnnx: attribute "${a.name}" has unsupported type ${num(a.type)}`);
  }
}

/**
 * Decodes ONNX model bytes.
 *
 * @example
 * const m = decodeOnnx(readFileSync('model.onnx'));
 * m.graph.nodes.map((n) => n.opType); // ['Conv', 'Elu', …]
 */
export function decodeOnnx(bytes: Uint8Array): DecodedModel {
  const m: Msg = modelProtoType().decode(bytes);
  const g: Msg = m.graph ?? {};
  const metadata: Record<string, string> = {};
  for (const e of m.metadata_props ?? []) metadata[e.key ?? ''] = e.value ?? '';
  return {
    irVersion: num(m.ir_version),
    producerName: m.producer_name ?? '',
    producerVersion: m.producer_version ?? '',
    opsets: (m.opset_import ?? []).map((o: Msg) => ({ domain: o.domain ?? '', version: num(o.version) })),
    metadata,
    graph: {
      name: g.name ?? '',
      nodes: (g.node ?? []).map((n: Msg) => {
        const attrs: Record<string, AttrValue> = {};
        for (const a of n.attribute ?? []) attrs[a.name] = decodeAttr(a);
        return { name: n.name ?? '', opType: n.op_type ?? '', domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
      }),
      initializers: (g.initializer ?? []).map(decodeTensor),
      inputs: (g.input ?? []).map(decodeValueInfo),
      outputs: (g.output ?? []).map(decodeValueInfo),
    },
  };
}
