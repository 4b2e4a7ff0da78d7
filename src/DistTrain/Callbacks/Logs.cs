using DistTrain.Grains;

namespace DistTrain.Callbacks;

/// <summary>What a callback learns when a run has started.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Epochs">Epochs the run trains.</param>
/// <param name="StepsPerEpoch">Optimiser steps per epoch.</param>
/// <param name="TotalSteps">Steps in all.</param>
/// <param name="Cluster">Where it runs: <c>embedded</c> or the gateways.</param>
public sealed record TrainBeginLogs(string RunId, int Epochs, int StepsPerEpoch, long TotalSteps, string Cluster);

/// <summary>One optimiser step as the coordinator reported it.</summary>
/// <param name="Step">The step, from 0 (the parameter version it started from).</param>
/// <param name="Epoch">Its epoch, from 0.</param>
/// <param name="Loss">Mean loss over the global batch.</param>
/// <param name="Accuracy">Accuracy over the global batch (NaN for regression).</param>
/// <param name="LearningRate">Learning rate applied.</param>
/// <param name="GradientNorm">Global norm of the mean gradient before clipping.</param>
/// <param name="Skipped">Whether the step was skipped for a non-finite gradient.</param>
/// <param name="Milliseconds">Wall time of the step at the coordinator.</param>
public sealed record StepLogs(long Step, int Epoch, double Loss, double Accuracy, double LearningRate, double GradientNorm, bool Skipped, double Milliseconds)
{
    internal static StepLogs From(StepReport report) =>
        new(report.Step, report.Epoch, report.Loss, report.Accuracy, report.LearningRate, report.GradientNorm, report.Skipped, report.Milliseconds);
}

/// <summary>One finished epoch: training metrics and, with validation data, the validation metrics.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="Accuracy">Training accuracy (null for regression or when not asked for).</param>
/// <param name="ValidationLoss">Validation loss, with validation data.</param>
/// <param name="ValidationAccuracy">Validation accuracy, with validation data (null for regression or when not asked for).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochLogs(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds)
{
    /// <summary>A metric by its Keras name: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>.</summary>
    public double? this[string metric] => metric switch
    {
        "loss" => Loss,
        "accuracy" => Accuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" => ValidationAccuracy,
        _ => throw new ArgumentException($"unknown metric '{metric}'; use loss, accuracy, val_loss or val_accuracy.", nameof(metric)),
    };
}

/// <summary>A poll of a running run, for progress displays.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps in all.</param>
/// <param name="Epoch">Epoch of the next step, from 0.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="Accuracy">Accuracy of the last step (NaN for regression).</param>
/// <param name="SamplesPerSecond">Measured throughput, once known.</param>
/// <param name="Remaining">Estimated time left, once known.</param>
public sealed record ProgressLogs(long Step, long TotalSteps, int Epoch, double Loss, double Accuracy, double? SamplesPerSecond, TimeSpan? Remaining);
