namespace DistTrain.Kernels.Data;

/// <summary>The contents of an unsigned-byte IDX file.</summary>
/// <param name="Shape">The dimensions from the header, outermost (the sample count) first.</param>
/// <param name="Data">The bytes in row-major order.</param>
/// <param name="HeaderBytes">Where the data starts in the (decompressed) file, for error offsets.</param>
public sealed record IdxArray(int[] Shape, byte[] Data, int HeaderBytes);
