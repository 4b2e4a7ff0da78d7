using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Models;

/// <summary>Evaluation and prediction (forward only, in data-set order).</summary>
public sealed partial class ModelReplica
{
    private const int DefaultPredictRows = 256;

    /// <summary>
    /// Mean loss, accuracy and top-k accuracy of the current weights over all of
    /// <paramref name="data"/>, in order, <paramref name="batchSize"/> rows at a time.
    /// </summary>
    public EvaluationResult Evaluate(IDataSet data, int batchSize, int topK = 5)
    {
        CheckData(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot evaluate on an empty data set.", nameof(data));
        }

        int chunk = Math.Min(batchSize, data.Count);
        EnsureCapacity(chunk);
        int k = Math.Min(topK, _outputSize);
        var indices = new int[chunk];
        var context = new LayerContext(_backend, false, 0, 0, 0);
        double lossSum = 0;
        long correct = 0;
        long inTopK = 0;
        for (int start = 0; start < data.Count; start += chunk)
        {
            int rows = Math.Min(chunk, data.Count - start);
            for (int i = 0; i < rows; i++)
            {
                indices[i] = start + i;
            }

            ReadRows(data, indices.AsSpan(0, rows));
            Forward(context, _weights.All, rows);
            lossSum += LossAndGradient(rows);
            correct += CountCorrect(rows);
            if (_loss == LossKind.SoftmaxCrossEntropy)
            {
                inTopK += _backend.CountTopK(RowsOf(_predictions!, rows, _outputSize), RowsOf(_targets!, rows, _outputSize), rows, _outputSize, k);
            }
        }

        double n = data.Count;
        return new EvaluationResult(
            (lossSum / n) + _regularization.Penalty(_backend, _weights.All),
            _loss == LossKind.MeanSquaredError ? double.NaN : correct / n,
            _loss == LossKind.SoftmaxCrossEntropy ? inTopK / n : double.NaN,
            k,
            data.Count);
    }

    /// <summary>
    /// Predictions for <paramref name="rows"/> input rows: class probabilities for a
    /// cross-entropy model, sigmoid probabilities for binary cross-entropy, raw outputs for MSE.
    /// Returns rows × outputs floats.
    /// </summary>
    public float[] Predict(ReadOnlySpan<float> inputs, int rows)
    {
        var output = new float[rows * (long)_outputSize];
        Predict(inputs, rows, output);
        return output;
    }

    /// <summary>As <see cref="Predict(ReadOnlySpan{float}, int)"/>, writing into <paramref name="output"/> (rows × outputs).</summary>
    public void Predict(ReadOnlySpan<float> inputs, int rows, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (inputs.Length != rows * (long)_inputSize)
        {
            throw new ArgumentException($"Expected {rows} × {_inputSize} input floats, got {inputs.Length}.", nameof(inputs));
        }

        if (output.Length != rows * (long)_outputSize)
        {
            throw new ArgumentException($"Expected room for {rows} × {_outputSize} outputs, got {output.Length}.", nameof(output));
        }

        int chunk = Math.Max(_capacity, Math.Min(rows, DefaultPredictRows));
        EnsureCapacity(chunk);
        var context = new LayerContext(_backend, false, 0, 0, 0);
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            _input!.Upload(inputs.Slice(start * _inputSize, n * _inputSize));
            Forward(context, _weights.All, n);
            BufferSpan logits = RowsOf(_outputs[^1], n, _outputSize);
            BufferSpan result = logits;
            if (_prediction != ActivationKind.Linear)
            {
                result = RowsOf(_predictions!, n, _outputSize);
                _backend.ActivationForward(_prediction, logits, result, n, _outputSize);
            }

            result.Buffer.Download(output.Slice(start * _outputSize, n * _outputSize), result.Offset);
        }
    }
}
