using System.Globalization;
using System.Text;

namespace DistTrain.Kernels.Tensors;

/// <summary>TensorFlow-like printing: <c>tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)</c>.</summary>
public partial class Tensor
{
    /// <summary>NumPy prints at most this many elements before summarising with "...".</summary>
    private const int SummaryThreshold = 1000;

    private const int EdgeItems = 3;

    /// <summary>TensorFlow's <c>print(t)</c> form.</summary>
    public override string ToString()
    {
        var body = Format();
        return body.Contains('\n')
            ? $"tf.Tensor(\n{body}, shape={Shape}, dtype={DType.Name()})"
            : $"tf.Tensor({body}, shape={Shape}, dtype={DType.Name()})";
    }

    /// <summary>The values as NumPy prints them (<c>str(t.numpy())</c>): no commas, aligned columns, "..." above 1000 elements.</summary>
    public string Format()
    {
        bool summarise = Size > SummaryThreshold;
        var texts = new string[Size];
        var shown = new bool[Size];
        MarkShown(shown, summarise);
        var cells = FormatCells(shown);
        for (int i = 0; i < Size; i++)
        {
            texts[i] = cells[i];
        }

        if (Rank == 0)
        {
            return texts[0];
        }

        var sb = new StringBuilder();
        AppendBlock(sb, texts, 0, 0, summarise);
        return sb.ToString();
    }

    private void AppendBlock(StringBuilder sb, string[] texts, int axis, int offset, bool summarise)
    {
        int size = Shape.Dims[axis];
        int stride = Shape.Strides()[axis];
        sb.Append('[');
        for (int i = 0; i < size; i++)
        {
            if (summarise && size > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(axis == Rank - 1 ? "..." : "...");
                sb.Append(Separator(axis));
                i = size - EdgeItems - 1;
                continue;
            }

            if (axis == Rank - 1)
            {
                sb.Append(texts[offset + i]);
            }
            else
            {
                AppendBlock(sb, texts, axis + 1, offset + (i * stride), summarise);
            }

            if (i < size - 1)
            {
                sb.Append(Separator(axis));
            }
        }

        sb.Append(']');
    }

    private string Separator(int axis) =>
        axis == Rank - 1 ? " " : new string('\n', Rank - axis - 1) + new string(' ', axis + 1);

    private void MarkShown(bool[] shown, bool summarise)
    {
        var strides = Shape.Strides();
        for (int i = 0; i < shown.Length; i++)
        {
            bool show = true;
            for (int d = 0; d < Rank && summarise; d++)
            {
                int idx = i / strides[d] % Shape.Dims[d];
                show &= Shape.Dims[d] <= 2 * EdgeItems || idx < EdgeItems || idx >= Shape.Dims[d] - EdgeItems;
            }

            shown[i] = show;
        }
    }

    private string[] FormatCells(bool[] shown)
    {
        var result = new string[Size];
        switch (DType)
        {
            case DType.Bool:
                var b = Values<bool>();
                for (int i = 0; i < Size; i++)
                {
                    result[i] = b[i] ? " True" : "False";
                }

                if (b.All(v => v))
                {
                    for (int i = 0; i < Size; i++)
                    {
                        result[i] = "True";
                    }
                }

                return result;
            case DType.Int32 or DType.Int64:
                var ints = CastNoTape(this, DType.Int64).Values<long>();
                int width = 0;
                for (int i = 0; i < Size; i++)
                {
                    if (shown[i])
                    {
                        width = Math.Max(width, ints[i].ToString(CultureInfo.InvariantCulture).Length);
                    }
                }

                for (int i = 0; i < Size; i++)
                {
                    result[i] = shown[i] ? ints[i].ToString(CultureInfo.InvariantCulture).PadLeft(width) : string.Empty;
                }

                return result;
            default:
                return FormatFloats(CastNoTape(this, DType.Float64).Values<double>(), shown, 8, DType == DType.Float32);
        }
    }

    /// <summary>NumPy's float style: up to 8 decimals, trailing zeros dropped ("1." for whole numbers), integer parts right-aligned, fractions left-aligned.</summary>
    private static string[] FormatFloats(double[] v, bool[] shown, int precision, bool single)
    {
        var ints = new string[v.Length];
        var fracs = new string[v.Length];
        int intWidth = 0, fracWidth = 0;
        for (int i = 0; i < v.Length; i++)
        {
            if (!shown[i])
            {
                continue;
            }

            string s;
            if (double.IsNaN(v[i]))
            {
                s = "nan";
            }
            else if (double.IsInfinity(v[i]))
            {
                s = v[i] > 0 ? "inf" : "-inf";
            }
            else
            {
                // Shortest round-trip digits of the element's own type (NumPy's float32 prints 1.9999999, not 1.99999988).
                s = single ? ((float)v[i]).ToString("R", CultureInfo.InvariantCulture) : v[i].ToString("R", CultureInfo.InvariantCulture);
                int dotAt = s.IndexOf('.');
                if (s.Contains('E') || (dotAt >= 0 && s.Length - dotAt - 1 > precision))
                {
                    s = Math.Round(v[i], precision).ToString("0." + new string('#', precision), CultureInfo.InvariantCulture);
                }

                if (!s.Contains('.'))
                {
                    s += ".";
                }
            }

            int dot = s.IndexOf('.');
            ints[i] = dot < 0 ? s : s[..dot];
            fracs[i] = dot < 0 ? string.Empty : s[dot..];
            intWidth = Math.Max(intWidth, ints[i].Length);
            fracWidth = Math.Max(fracWidth, fracs[i].Length);
        }

        var result = new string[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            result[i] = shown[i] ? ints[i].PadLeft(intWidth) + fracs[i].PadRight(fracWidth) : string.Empty;
        }

        return result;
    }
}
