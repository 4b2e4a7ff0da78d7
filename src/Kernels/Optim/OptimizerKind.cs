using System.Text.Json.Serialization;

namespace DistTrain.Kernels.Optim;

/// <summary>The update rule of an <see cref="OptimizerSpec"/> (Keras' optimiser classes).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>SGD, with momentum or Nesterov momentum as settings (PyTorch form); one state vector, <c>velocity</c>.</summary>
    Sgd,

    /// <summary>Adam (Keras form, bias correction folded into the step size); state <c>momentum</c>, <c>velocity</c> (+ <c>velocity_hat</c> with AMSGrad).</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay <c>w -= lr·λ·w</c> (Loshchilov &amp; Hutter; Keras AdamW); same state as Adam.</summary>
    AdamW,

    /// <summary>RMSprop (Keras form, ε inside the square root); state <c>velocity</c> (+ <c>momentum</c>, + <c>average_gradient</c> when centred).</summary>
    RmsProp,

    /// <summary>Adagrad (Keras form); state <c>accumulator</c>, starting at <see cref="OptimizerSpec.InitialAccumulatorValue"/>.</summary>
    Adagrad,
}
