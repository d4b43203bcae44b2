import { describe, expect, it } from 'vitest';
import { clampCrop, defaultCrop, fitView, hitCrop, moveCrop, resizeCropAroundCentre, resizeCropFromCorner, sourceToView, viewToSource } from './crop.ts';

describe('crop box maths', () => {
  it('default crop: centred square of round(min side · 96/110)', () => {
    expect(defaultCrop(110, 110)).toEqual({ x: 7, y: 7, size: 96 });
    // 640×480: side round(480·96/110) = round(418.9) = 419; x = floor((640−419)/2) = 110, y = floor(61/2) = 30.
    expect(defaultCrop(640, 480)).toEqual({ x: 110, y: 30, size: 419 });
    expect(defaultCrop(1, 1)).toEqual({ x: 0, y: 0, size: 1 });
    expect(defaultCrop(100, 50, 1)).toEqual({ x: 25, y: 0, size: 50 });
    expect(() => defaultCrop(0, 10)).toThrow(/positive integers, got 0×10/);
  });

  it('clamps size to [8, shorter side] and position into the image, rounding', () => {
    expect(clampCrop({ x: -5, y: 3.6, size: 40.4 }, 100, 60)).toEqual({ x: 0, y: 4, size: 40 });
    expect(clampCrop({ x: 90, y: 50, size: 40 }, 100, 60)).toEqual({ x: 60, y: 20, size: 40 });
    expect(clampCrop({ x: 0, y: 0, size: 500 }, 100, 60)).toEqual({ x: 0, y: 0, size: 60 });
    expect(clampCrop({ x: 10, y: 10, size: 2 }, 100, 60)).toEqual({ x: 10, y: 10, size: 8 });
    expect(clampCrop({ x: 0, y: 0, size: 3 }, 5, 4)).toEqual({ x: 0, y: 0, size: 4 }); // image smaller than MIN_CROP
    expect(clampCrop({ x: Number.NaN, y: 0, size: Number.NaN }, 30, 20)).toEqual({ x: 0, y: 0, size: 20 });
  });

  it('moves and stops at the borders', () => {
    expect(moveCrop({ x: 10, y: 10, size: 20 }, 5, -3, 100, 100)).toEqual({ x: 15, y: 7, size: 20 });
    expect(moveCrop({ x: 10, y: 10, size: 20 }, 500, -300, 100, 100)).toEqual({ x: 80, y: 0, size: 20 });
  });

  it('resizes around the centre (slider), keeping inside', () => {
    expect(resizeCropAroundCentre({ x: 40, y: 40, size: 20 }, 40, 100, 100)).toEqual({ x: 30, y: 30, size: 40 });
    expect(resizeCropAroundCentre({ x: 0, y: 0, size: 20 }, 40, 100, 100)).toEqual({ x: 0, y: 0, size: 40 });
    expect(resizeCropAroundCentre({ x: 40, y: 40, size: 20 }, 1000, 100, 80)).toEqual({ x: 10, y: 0, size: 80 }); // centre (50, 50) → x 10, y clamped to 0
  });

  it('resizes from a corner with the opposite corner fixed, limited by the room', () => {
    // Drag se corner of (10,10,20) to (50, 40): side max(40, 30) = 40, anchor nw (10,10).
    expect(resizeCropFromCorner({ x: 10, y: 10, size: 20 }, 'se', 50, 40, 100, 100)).toEqual({ x: 10, y: 10, size: 40 });
    // Drag nw corner of (10,10,20) (anchor (30,30)) to (−50, 25): want 80, room min(30, 30) = 30.
    expect(resizeCropFromCorner({ x: 10, y: 10, size: 20 }, 'nw', -50, 25, 100, 100)).toEqual({ x: 0, y: 0, size: 30 });
    // ne: anchor sw = (10, 30); drag to (14, 29): side 4 → MIN_CROP 8 → box (10, 22, 8).
    expect(resizeCropFromCorner({ x: 10, y: 10, size: 20 }, 'ne', 14, 29, 100, 100)).toEqual({ x: 10, y: 22, size: 8 });
    // sw: anchor ne = (30, 10); drag to (0, 95): want 85, room min(30, 90) = 30.
    expect(resizeCropFromCorner({ x: 10, y: 10, size: 20 }, 'sw', 0, 95, 100, 100)).toEqual({ x: 0, y: 10, size: 30 });
  });

  it('hit-tests corners before the inside', () => {
    const b = { x: 10, y: 10, size: 20 };
    expect(hitCrop(b, 11, 9, 2)).toBe('nw');
    expect(hitCrop(b, 30, 31, 2)).toBe('se');
    expect(hitCrop(b, 20, 20, 2)).toBe('inside');
    expect(hitCrop(b, 50, 50, 2)).toBeNull();
  });

  it('view transform fits, centres and round-trips', () => {
    const t = fitView(200, 100, 300, 300);
    expect(t).toEqual({ scale: 1.5, offsetX: 0, offsetY: 75 });
    expect(sourceToView(t, 100, 50)).toEqual([150, 150]);
    expect(viewToSource(t, 150, 150)).toEqual([100, 50]);
    expect(viewToSource(t, 0, 75)).toEqual([0, 0]);
  });
});
