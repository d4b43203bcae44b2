/**
 * A minimal hand-encoded ONNX model, `Y = A · Bᵀ` (one `Gemm` node with `transB = 1`), for the native
 * GEMM path of evaluation (onnxruntime-node → MLAS). Eval must not depend on model-export or the
 * trainer, and the graph is three protobuf messages deep, so it is written here byte by byte
 * (protobuf wire format: varint keys, length-delimited sub-messages; core's `pbBytesField` / `pbVarintField`).
 *
 * @module
 */
import { pbBytesField, pbVarintField } from '@interpret-fr/core/protobuf-writer';

const bytesOf = (s: string): number[] => Array.from(new TextEncoder().encode(s));
/** Field `f` with wire type 2 (length-delimited), core's protobuf writer. */
const ld = (f: number, body: number[]): number[] => pbBytesField(f, body);
/** Field `f` with wire type 0 (varint). */
const vi = (f: number, v: number): number[] => pbVarintField(f, v);
const str = (f: number, s: string): number[] => ld(f, bytesOf(s));

/** ONNX TensorProto.DataType codes used here. */
export const ONNX_FLOAT = 1;
export const ONNX_DOUBLE = 11;

function valueInfo(name: string, elemType: number, dims: string[]): number[] {
  // ValueInfoProto { name = 1; type = 2 } ; TypeProto { tensor_type = 1 } ; Tensor { elem_type = 1; shape = 2 }
  // TensorShapeProto { dim = 1 } ; Dimension { dim_param = 2 }
  const shape = dims.flatMap((d) => ld(1, str(2, d)));
  return [...str(1, name), ...ld(2, ld(1, [...vi(1, elemType), ...ld(2, shape)]))];
}

/**
 * Bytes of an ONNX model computing `Y[M, N] = A[M, K] · B[N, K]ᵀ` for float32 (`elemType` 1) or
 * float64 (11) inputs; all three dimensions are symbolic.
 */
export function gemmModelBytes(elemType: number = ONNX_FLOAT): Uint8Array {
  // AttributeProto { name = 1; i = 3; type = 20 (INT = 2) }
  const transB = [...str(1, 'transB'), ...vi(3, 1), ...vi(20, 2)];
  // NodeProto { input = 1; output = 2; name = 3; op_type = 4; attribute = 5 }
  const node = [...str(1, 'A'), ...str(1, 'B'), ...str(2, 'Y'), ...str(3, 'gemm'), ...str(4, 'Gemm'), ...ld(5, transB)];
  // GraphProto { node = 1; name = 2; input = 11; output = 12 }
  const graph = [
    ...ld(1, node),
    ...str(2, 'abt'),
    ...ld(11, valueInfo('A', elemType, ['M', 'K'])),
    ...ld(11, valueInfo('B', elemType, ['N', 'K'])),
    ...ld(12, valueInfo('Y', elemType, ['M', 'N'])),
  ];
  // ModelProto { ir_version = 1; producer_name = 2; graph = 7; opset_import = 8 } ; OperatorSetId { domain = 1; version = 2 }
  const model = [...vi(1, 8), ...str(2, 'interpret-fr-eval'), ...ld(7, graph), ...ld(8, [...str(1, ''), ...vi(2, 13)])];
  return Uint8Array.from(model);
}

/**
 * Bytes of an ONNX model computing in float64 `Y[M, N] = A[M, K] · B[N, K]ᵀ` from float32 inputs: both
 * inputs are Cast to double inside onnxruntime (exact), then one `Gemm` (transB = 1) runs on MLAS's
 * DGEMM. Callers pass float32 views, with no conversion or copy in JavaScript.
 */
export function gemm64FromFloatModelBytes(): Uint8Array {
  const to = [...str(1, 'to'), ...vi(3, ONNX_DOUBLE), ...vi(20, 2)];
  const transB = [...str(1, 'transB'), ...vi(3, 1), ...vi(20, 2)];
  const node = (inputs: string[], output: string, name: string, op: string, attrs: number[][]): number[] =>
    ld(1, [...inputs.flatMap((x) => str(1, x)), ...str(2, output), ...str(3, name), ...str(4, op), ...attrs.flatMap((a) => ld(5, a))]);
  const graph = [
    ...node(['A'], 'A64', 'cast_a', 'Cast', [to]),
    ...node(['B'], 'B64', 'cast_b', 'Cast', [to]),
    ...node(['A64', 'B64'], 'Y', 'gemm', 'Gemm', [transB]),
    ...str(2, 'abt64'),
    ...ld(11, valueInfo('A', ONNX_FLOAT, ['M', 'K'])),
    ...ld(11, valueInfo('B', ONNX_FLOAT, ['N', 'K'])),
    ...ld(12, valueInfo('Y', ONNX_DOUBLE, ['M', 'N'])),
  ];
  const model = [...vi(1, 8), ...str(2, 'interpret-fr-eval'), ...ld(7, graph), ...ld(8, [...str(1, ''), ...vi(2, 13)])];
  return Uint8Array.from(model);
}
