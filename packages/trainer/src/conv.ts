/**
 * 2-D convolution with TF `SAME` padding whose filter gradient is itself a forward convolution.
 *
 * Why: tfjs-backend-cpu's `Conv2DBackpropFilter` is a scalar loop (≈ 95 % of a CPU training step
 * in our measurement, see the README), while its `Conv2D` and `BatchMatMul` are blocked matrix
 * products. Computing the filter gradient with `Conv2D` gives the same values (to float32 rounding) much faster on the CPU
 * backend. Native backends keep their own kernels (`filterGrad: 'native'`).
 *
 * @module
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { samePadding } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import type { FilterGrad } from './backend-info.ts';

/**
 * ∂L/∂W of a SAME convolution as one forward convolution (the CPU backend's `Conv2D` is fast,
 * its `Conv2DBackpropFilter` is not): dW[i,j,c,o] = Σ_{n,y,x} xp[n, s·y+i, s·x+j, c]·dy[n,y,x,o],
 * i.e. a VALID conv of xp (x with its SAME padding) as [Cin, Hp, Wp, N] with dy as a
 * [Ho, Wo, N, Cout] filter of dilation s.
 *
 * @param x [N, H, W, Cin] (unpadded)
 * @param dy [N, Ho, Wo, Cout]
 * @returns [kh, kw, Cin, Cout]
 */
export function convFilterGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, kh: number, kw: number, stride: number): Tensor4D {
  const [, h, w, cin] = x.shape;
  const cout = dy.shape[3];
  const [pt, pb] = samePadding(h, kh, stride);
  const [pl, pr] = samePadding(w, kw, stride);
  const xt = tf.transpose(x, [3, 1, 2, 0]) as Tensor4D; // [Cin, H, W, N]
  const ft = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [Ho, Wo, N, Cout]
  // VALID conv of the SAME-padded input, the padding given explicitly (no padded copy)
  let g = tf.conv2d(
    xt,
    ft,
    1,
    [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ],
    'NHWC',
    stride,
  ); // [Cin, ≥kh, ≥kw, Cout]
  if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [cin, kh, kw, cout]);
  return tf.transpose(g, [1, 2, 0, 3]);
}

/**
 * conv2d(x, W, stride, 'same') (tfjs pads like TF SAME: the extra pixel after). With
 * `filterGrad: 'conv'` the gradient with respect to W is {@link convFilterGrad} and the one with
 * respect to x is the backend's `conv2dTranspose`.
 *
 * @param x [N, H, W, Cin]
 * @param w [kh, kw, Cin, Cout]
 */
export function conv2dSame(tf: Tf, x: Tensor4D, w: Tensor4D, stride: number, filterGrad: FilterGrad): Tensor4D {
  if (filterGrad === 'native') return tf.conv2d(x, w, stride, 'same');
  const f = tf.customGrad(((xx: Tensor4D, ww: Tensor4D, save: (t: Tensor[]) => void) => {
    save([xx, ww]);
    return {
      value: tf.conv2d(xx, ww, stride, 'same'),
      gradFunc: (dy: Tensor4D, saved: Tensor[]) => {
        const [sx, sw] = saved as [Tensor4D, Tensor4D];
        const [kh, kw] = sw.shape;
        const dx = tf.conv2dTranspose(dy, sw, sx.shape, stride, 'same');
        return [dx, convFilterGrad(tf, sx, dy, kh, kw, stride)];
      },
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return (f as unknown as (a: Tensor4D, b: Tensor4D) => Tensor4D)(x, w);
}
