namespace DistTrain.Runs;

/// <summary>
/// The end-of-run summary: the table <c>disttrain train</c> and <c>watch</c> print, and with
/// <c>--json</c> the one JSON object they write to standard output.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="State">Final state (Completed, Stopped, Failed...).</param>
/// <param name="Cluster">Where it ran: <c>embedded</c> or the gateways.</param>
/// <param name="Epochs">Epochs finished.</param>
/// <param name="Steps">Optimiser steps applied.</param>
/// <param name="Workers">Workers of the last step.</param>
/// <param name="Seconds">Wall time the console watched the run.</param>
/// <param name="SamplesPerSecond">Training samples per second over that time (null when the batch size is unknown).</param>
/// <param name="Train">Training loss and accuracy of the last epoch.</param>
/// <param name="Validation">Loss and accuracy on the held-out validation split, if any.</param>
/// <param name="Test">Loss and accuracy on the test split, if evaluated.</param>
/// <param name="SkippedSteps">Steps skipped for a non-finite gradient.</param>
/// <param name="ClippedSteps">Steps whose gradient was clipped.</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="Checkpoint">The run's last checkpoint, if any.</param>
/// <param name="Error">Why the run failed, if it did.</param>
/// <param name="History">One row per epoch.</param>
/// <param name="Parameters">The learned parameters by layout entry, for small models (at most 64 values), e.g. w and b of a linear regression.</param>
/// <param name="LogDirectory">Where the coordinator wrote the run's TensorBoard event files.</param>
public sealed record RunSummary(
    string RunId,
    string State,
    string Cluster,
    int Epochs,
    long Steps,
    int Workers,
    double Seconds,
    double? SamplesPerSecond,
    EvaluationMetrics? Train,
    EvaluationMetrics? Validation,
    EvaluationMetrics? Test,
    long SkippedSteps,
    long ClippedSteps,
    bool StoppedEarly,
    string? Checkpoint,
    string? Error,
    IReadOnlyList<EpochRow> History,
    IReadOnlyDictionary<string, float[]>? Parameters,
    string? LogDirectory = null);

/// <summary>Loss and accuracy of a model on some samples.</summary>
/// <param name="Loss">Mean loss.</param>
/// <param name="Accuracy">Fraction classified correctly (null for regression).</param>
/// <param name="Samples">Samples evaluated (null when unknown).</param>
public sealed record EvaluationMetrics(double Loss, double? Accuracy, int? Samples = null);

/// <summary>One finished epoch in the summary.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Accuracy">Training accuracy.</param>
/// <param name="ValidationLoss">Validation loss, when a validation split is held out.</param>
/// <param name="ValidationAccuracy">Validation accuracy, when a validation split is held out.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochRow(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds);
