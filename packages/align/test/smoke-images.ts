/** Real images of the smoke test (relative to the shared data folder): LFW-a and AT&T/ORL. */
export const SMOKE_IMAGES: readonly string[] = [
  'lfw/lfw-a/Aaron_Eckhart/Aaron_Eckhart_0001.jpg',
  'lfw/lfw-a/George_W_Bush/George_W_Bush_0010.jpg',
  'lfw/lfw-a/Serena_Williams/Serena_Williams_0003.jpg',
  'att-orl-faces/s1/1.pgm',
  'att-orl-faces/s17/4.pgm',
];
