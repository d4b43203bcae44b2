import { describe, expect, it } from 'vitest';
import { onnxMetadataEntry, readMetadataEntry } from './index.ts';
import { pbBytesField, pbVarint, pbVarintField } from './protobuf-writer.ts';

describe('protobuf writer', () => {
  it('writes varints, varint fields and length-delimited fields in the wire format', () => {
    expect(pbVarint(0)).toEqual([0]);
    expect(pbVarint(127)).toEqual([127]);
    expect(pbVarint(300)).toEqual([0xac, 0x02]);
    expect(pbVarint(2 ** 32)).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(pbVarintField(1, 7)).toEqual([0x08, 7]);
    expect(pbBytesField(2, [0x61, 0x62])).toEqual([0x12, 2, 0x61, 0x62]);
  });
  it('onnxMetadataEntry: ModelProto field 14 { key = 1, value = 2 }, read back by the reader', () => {
    const e = onnxMetadataEntry('k', 'vv');
    expect([...e]).toEqual([0x72, 7, 0x0a, 1, 0x6b, 0x12, 2, 0x76, 0x76]);
    expect(readMetadataEntry(e, 2, e.length)).toEqual({ key: 'k', value: 'vv' });
  });
});
