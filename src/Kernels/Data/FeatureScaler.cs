namespace DistTrain.Kernels.Data;

/// <summary>
/// A per-feature affine normalisation y = x · Scale + Offset, fitted on one data set (the
/// training set) and applied to others as views, so validation and test data are scaled
/// with the training statistics.
/// </summary>
public sealed class FeatureScaler
{
    private const int ReadBatch = 256;
    private readonly float[] _scale;
    private readonly float[] _offset;

    /// <summary>A scaler with explicit per-feature <paramref name="scale"/> and <paramref name="offset"/>.</summary>
    public FeatureScaler(float[] scale, float[] offset)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(offset);
        if (scale.Length != offset.Length || scale.Length == 0)
        {
            throw new ArgumentException("Scale and offset need the same, non-zero length.", nameof(offset));
        }

        if (scale.Any(s => s == 0 || !float.IsFinite(s)) || offset.Any(o => !float.IsFinite(o)))
        {
            throw new ArgumentException("Scales must be finite and non-zero, offsets finite.", nameof(scale));
        }

        _scale = scale;
        _offset = offset;
    }

    /// <summary>Per-feature multiplier.</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>Per-feature addend (after scaling).</summary>
    public IReadOnlyList<float> Offset => _offset;

    /// <summary>Number of features.</summary>
    public int Width => _scale.Length;

    /// <summary>
    /// Standardisation: y = (x − mean) / std per feature (population std, as Keras'
    /// Normalization layer and scikit-learn's StandardScaler). A constant feature keeps std 1.
    /// Fits the inputs, or the targets when <paramref name="targets"/>.
    /// </summary>
    public static FeatureScaler FitStandard(IDataSet data, bool targets = false)
    {
        (double[] mean, double[] m2, _, _, int n) = Statistics(data, targets);
        var scale = new float[mean.Length];
        var offset = new float[mean.Length];
        for (int f = 0; f < mean.Length; f++)
        {
            double std = Math.Sqrt(m2[f] / n);
            double s = std > 1e-12 ? 1.0 / std : 1.0;
            scale[f] = (float)s;
            offset[f] = (float)(-mean[f] * s);
        }

        return new FeatureScaler(scale, offset);
    }

    /// <summary>Min–max scaling to [0, 1] per feature; a constant feature is only shifted to 0.</summary>
    public static FeatureScaler FitMinMax(IDataSet data, bool targets = false)
    {
        (_, _, double[] min, double[] max, _) = Statistics(data, targets);
        var scale = new float[min.Length];
        var offset = new float[min.Length];
        for (int f = 0; f < min.Length; f++)
        {
            double range = max[f] - min[f];
            double s = range > 1e-12 ? 1.0 / range : 1.0;
            scale[f] = (float)s;
            offset[f] = (float)(-min[f] * s);
        }

        return new FeatureScaler(scale, offset);
    }

    /// <summary>Scales rows of <see cref="Width"/> features in place.</summary>
    public void Transform(Span<float> rows)
    {
        CheckRows(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            int f = i % _scale.Length;
            rows[i] = rows[i] * _scale[f] + _offset[f];
        }
    }

    /// <summary>Undoes <see cref="Transform"/> in place: x = (y − Offset) / Scale (for example on predicted targets).</summary>
    public void InverseTransform(Span<float> rows)
    {
        CheckRows(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            int f = i % _scale.Length;
            rows[i] = (rows[i] - _offset[f]) / _scale[f];
        }
    }

    /// <summary>A view of <paramref name="data"/> with scaled inputs (or targets when <paramref name="targets"/>).</summary>
    public IDataSet Apply(IDataSet data, bool targets = false) => new ScaledDataSet(data, this, targets);

    private void CheckRows(int length)
    {
        if (length % _scale.Length != 0)
        {
            throw new ArgumentException($"{length} values are not whole rows of {_scale.Length} features.");
        }
    }

    /// <summary>Per-feature mean, sum of squared deviations (Welford), min and max over every sample.</summary>
    private static (double[] Mean, double[] M2, double[] Min, double[] Max, int Count) Statistics(IDataSet data, bool targets)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot fit a scaler on an empty data set.", nameof(data));
        }

        int width = targets ? data.TargetSize : data.InputSize;
        var mean = new double[width];
        var m2 = new double[width];
        var min = Enumerable.Repeat(double.PositiveInfinity, width).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, width).ToArray();
        var inputs = new float[ReadBatch * data.InputSize];
        var targetRows = new float[ReadBatch * data.TargetSize];
        var indices = new int[ReadBatch];
        int n = 0;
        for (int start = 0; start < data.Count; start += ReadBatch)
        {
            int rows = Math.Min(ReadBatch, data.Count - start);
            for (int i = 0; i < rows; i++)
            {
                indices[i] = start + i;
            }

            data.Read(indices.AsSpan(0, rows), inputs, targetRows);
            float[] values = targets ? targetRows : inputs;
            for (int r = 0; r < rows; r++)
            {
                n++;
                for (int f = 0; f < width; f++)
                {
                    double x = values[r * width + f];
                    double delta = x - mean[f];
                    mean[f] += delta / n;
                    m2[f] += delta * (x - mean[f]);
                    min[f] = Math.Min(min[f], x);
                    max[f] = Math.Max(max[f], x);
                }
            }
        }

        return (mean, m2, min, max, n);
    }
}
