using DistTrain.Grains.Data;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Runs;

namespace DistTrain;

/// <summary>
/// A sequential model with Keras' workflow: build it (<see cref="Sequential"/>, <see cref="FromSpec"/>,
/// <see cref="FromPreset"/>), <see cref="Compile(Optimizer, string, string[])"/> it, <see cref="Fit"/> it on a
/// cluster (embedded in this process by default), then <see cref="Evaluate"/> and <see cref="Predict(float[])"/>
/// with the trained weights on this machine's CPU. Training goes through the same grains and the
/// same run machinery as the <c>disttrain</c> console.
/// </summary>
public partial class Model
{
    private readonly List<LayerSpec> _layers;
    private readonly int[] _inputShape;
    private LossKind? _loss;
    private DataSetProvider? _provider;

    /// <summary>A model with no layers yet for samples of <paramref name="inputShape"/>.</summary>
    protected Model(IReadOnlyList<int> inputShape, IEnumerable<LayerSpec> layers, LossKind? loss)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        if (inputShape.Count == 0 || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"the input shape must be positive sizes, got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        }

        _inputShape = [.. inputShape];
        _layers = [.. layers];
        _loss = loss;
    }

    /// <summary>Shape of one input sample.</summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<LayerSpec> Layers => _layers;

    /// <summary>The optimiser <see cref="Compile(Optimizer, LossKind, string[])"/> set, or null before.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The metrics asked for (<c>loss</c> always; <c>accuracy</c> when given).</summary>
    public IReadOnlyList<string> Metrics { get; private set; } = ["loss"];

    /// <summary>Whether the model is compiled.</summary>
    public bool IsCompiled => Optimizer is not null && _loss is not null;

    /// <summary>The flat weights after <see cref="Fit"/> (in <c>ParameterLayout</c> order), or null before; may be set to weights of the same model.</summary>
    public float[]? Weights { get; set; }

    /// <summary>Set by a callback to end the running <see cref="Fit"/> after the current epoch (Keras' <c>model.stop_training</c>).</summary>
    public bool StopTraining { get; set; }

    /// <summary>The model spec: input shape, layers and loss (the loss once compiled, or from the spec or preset it came from).</summary>
    public ModelSpec Spec
    {
        get
        {
            var spec = new ModelSpec(_inputShape, [.. _layers], _loss ?? throw new InvalidOperationException("the model has no loss yet: call Compile first."));
            spec.Validate();
            return spec;
        }
    }

    /// <summary>A model from a spec (its layers and loss; still to be compiled with an optimiser).</summary>
    public static Sequential FromSpec(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return new Sequential(spec.InputShape, spec.Layers, spec.Loss);
    }

    /// <summary>
    /// The model of a <c>disttrain --preset</c> (<c>mnist-mlp</c>, <c>mnist-cnn</c>, …), compiled with the
    /// preset's optimiser; <paramref name="inputFeatures"/> sizes models whose width follows the data
    /// (linear-regression).
    /// </summary>
    public static Sequential FromPreset(string name, int inputFeatures = 1)
    {
        var preset = TrainingPreset.Find(name);
        var model = FromSpec(ModelSpec.FromJson(preset.ModelSpecJson(inputFeatures)));
        model.Compile(Optimizer.FromSettings(preset.Optimizer), model._loss!.Value, "accuracy");
        return model;
    }

    /// <summary>
    /// Sets the optimiser, the loss (Keras names: <c>categorical_crossentropy</c>, <c>mse</c>,
    /// <c>binary_crossentropy</c>) and the metrics (<c>accuracy</c>; the loss is always reported).
    /// </summary>
    public Model Compile(Optimizer optimizer, string loss, params string[] metrics) => Compile(optimizer, ParseLoss(loss), metrics);

    /// <summary>Sets the optimiser, the loss and the metrics (<c>accuracy</c>; the loss is always reported).</summary>
    public Model Compile(Optimizer optimizer, LossKind loss, params string[] metrics)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(metrics);
        _ = optimizer.ToSettings();
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentException($"unknown loss {loss}.", nameof(loss));
        }

        var names = new List<string> { "loss" };
        foreach (var metric in metrics)
        {
            var name = metric switch
            {
                "accuracy" or "acc" or "categorical_accuracy" => "accuracy",
                "loss" => null,
                _ => throw new ArgumentException($"unknown metric '{metric}'; DistTrain reports loss and accuracy.", nameof(metrics)),
            };
            if (name is not null && !names.Contains(name))
            {
                names.Add(name);
            }
        }

        _loss = loss;
        Spec.Validate();
        Optimizer = optimizer;
        Metrics = names;
        return this;
    }

    /// <summary>Mean loss and accuracy of the trained weights on <paramref name="data"/>, computed on this machine's CPU.</summary>
    public EvaluationMetrics Evaluate(DataSource data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var weights = RequireWeights();
        var provider = Provider();
        var samples = data.Load(provider);
        using var evaluator = new RunEvaluator(Spec.ToJson(), data.Reference, 0, provider);
        var result = evaluator.Evaluate(weights, samples);
        return Metrics.Contains("accuracy") || result.Accuracy is null ? result : result with { Accuracy = null };
    }

    /// <summary>
    /// The model's outputs for the input rows in <paramref name="features"/> (rows × input size
    /// floats): class probabilities for classification, values for regression, rows × outputs floats.
    /// </summary>
    public float[] Predict(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var spec = Spec;
        if (features.Length == 0 || features.Length % spec.InputSize != 0)
        {
            throw new ArgumentException($"{features.Length} floats are not a whole number of {spec.InputSize}-float input rows.", nameof(features));
        }

        var weights = RequireWeights();
        using var evaluator = new RunEvaluator(spec.ToJson(), new DataSetReference(DataSetReference.InMemoryName), 0, Provider());
        return evaluator.Predict(weights, features, features.Length / spec.InputSize);
    }

    /// <summary>The model's outputs for every sample of <paramref name="data"/> (samples × outputs floats).</summary>
    public float[] Predict(DataSource data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var samples = data.Load(Provider());
        var inputs = new float[(long)samples.Count * samples.InputSize];
        var targets = new float[(long)samples.Count * samples.TargetSize];
        samples.Read([.. Enumerable.Range(0, samples.Count)], inputs, targets);
        return Predict(inputs);
    }

    /// <summary>The class of each row of <paramref name="outputs"/> (the index of its largest value).</summary>
    public int[] Classes(float[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var width = Spec.OutputSize;
        var classes = new int[outputs.Length / width];
        for (var row = 0; row < classes.Length; row++)
        {
            var values = outputs.AsSpan(row * width, width);
            classes[row] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
        }

        return classes;
    }

    /// <summary>The data-set provider of this model's loads: standard data sets and samples in memory.</summary>
    private protected DataSetProvider Provider(Action<string>? log = null) => _provider ??= InMemoryDataSets.CreateProvider(log);

    private protected void AddLayer(LayerSpec layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        if (_loss is { } loss)
        {
            _ = new ModelSpec(_inputShape, [.. _layers], loss).OutputShape;
        }
    }

    private float[] RequireWeights() => Weights ?? throw new InvalidOperationException("the model has no weights yet: call Fit first (or set Weights).");

    private static LossKind ParseLoss(string loss) => loss?.ToLowerInvariant() switch
    {
        "categorical_crossentropy" or "softmax_cross_entropy" or "crossentropy" => LossKind.SoftmaxCrossEntropy,
        "mse" or "mean_squared_error" => LossKind.MeanSquaredError,
        "binary_crossentropy" => LossKind.BinaryCrossEntropy,
        _ => throw new ArgumentException($"unknown loss '{loss}'; use categorical_crossentropy, mse or binary_crossentropy.", nameof(loss)),
    };
}
