using System.Globalization;
using System.Text.Json;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;
using Microsoft.ML;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>Model metadata key holding the recognizer's preprocessing settings (JSON).</summary>
    public const string PreprocessingMetadataKey = "hcr.preprocessing";

    /// <summary>Model metadata key holding what the recognizer was trained on (<see cref="TrainingData"/>, JSON), when it knows.</summary>
    public const string TrainingDataMetadataKey = "hcr.training_data";

    /// <summary>Model metadata key holding <see cref="ConfidenceTemperature"/> (invariant decimal) when it is not 1; the graph's probabilities are the network's own.</summary>
    public const string ConfidenceTemperatureMetadataKey = "hcr.confidence_temperature";

    /// <summary>
    /// Writes the network as a standard ONNX model (opset 17; input <c>pixels</c> float[N,1,28,28],
    /// outputs <c>probabilities</c> and <c>predicted_class</c>), with the classes and this recognizer's
    /// preprocessing settings and its <see cref="TrainingData"/> in its metadata, so that <see cref="LoadOnnx"/> gives back the
    /// same recognizer, which still knows which images it must not be evaluated on. The pretrained recognizer writes the ONNX model it ships with, which is that export of its network.
    /// </summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using UsageGate.Lease lease = _gate.Enter(this);
        if (TorchNetwork is null && _pretrained)
        {
            ThrowIfRecalibrated();
            PretrainedModel.CopyTo(PretrainedModel.OnnxResource, path);
            return;
        }
        ITorchCnn network = TorchNetwork ?? throw new NotSupportedException(
            "This recognizer was loaded from an ONNX file already; use that file.");
        var metadata = new Dictionary<string, string>
        {
            [PreprocessingMetadataKey] = JsonSerializer.Serialize(Preprocessing),
            ["hcr.recognizer_format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
        };
        if (TrainingData is not null)
            metadata[TrainingDataMetadataKey] = JsonSerializer.Serialize(SelectionRecord.Of(TrainingData));
        if (ConfidenceTemperature != 1)
            metadata[ConfidenceTemperatureMetadataKey] = ConfidenceTemperature.ToString("R", CultureInfo.InvariantCulture);
        network.ExportOnnx(path, metadata);
    }

    /// <summary>
    /// Loads a recognizer from an ONNX file written by <see cref="ExportOnnx"/>. It predicts on one ONNX
    /// Runtime session (an <see cref="OnnxCnnModel"/>), with the same preprocessing and the same
    /// Predict/PredictBatch/Evaluate API, and never loads TorchSharp or libtorch: an application that only
    /// predicts can leave them out (see docs/onnx.md).
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Execution provider (CPU, CUDA, DirectML), threads and graph optimisation of the ONNX Runtime session; null for <see cref="OnnxScoringOptions.Default"/>, the CPU.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not such a model, or its metadata is damaged.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The execution provider asked for is not in the ONNX Runtime this application ships (the message names the package to add), or ONNX Runtime cannot start it.</exception>
    public static HandwritingRecognizer LoadOnnx(string path, OnnxScoringOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var ml = new MLContext(seed: 1);
        return FromOnnx(ml, OnnxCnnModel.Load(path, ml, options: options ?? OnnxScoringOptions.Default), path, pretrained: false);
    }

    /// <summary>A recognizer on <paramref name="model"/> (which it owns, and disposes if this fails), its settings read from the model's metadata.</summary>
    private static HandwritingRecognizer FromOnnx(MLContext ml, OnnxCnnModel model, string path, bool pretrained)
    {
        try
        {
            InkNormalizationOptions preprocessing = new();
            if (model.Metadata.TryGetValue(PreprocessingMetadataKey, out string? json))
            {
                try
                {
                    preprocessing = JsonSerializer.Deserialize<InkNormalizationOptions>(json) ?? preprocessing;
                    preprocessing.Validate();
                }
                catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException)
                {
                    throw new ModelFormatException(path, $"its preprocessing settings are damaged ({e.Message}).", e);
                }
            }
            char[] classes;
            try
            {
                classes = RecognizerChain.ClassesOf(model.ClassNames);
            }
            catch (InvalidDataException e)
            {
                throw new ModelFormatException(path, $"its classes are not those of a character recognizer ({e.Message}).", e);
            }
            EmnistSelection? trainingData = null;
            if (model.Metadata.TryGetValue(TrainingDataMetadataKey, out string? selection))
            {
                try
                {
                    trainingData = JsonSerializer.Deserialize<SelectionRecord>(selection)?.ToSelection(path);
                }
                catch (JsonException e)
                {
                    throw new ModelFormatException(path, $"its training data record is damaged ({e.Message}).", e);
                }
            }
            double temperature = 1;
            if (model.Metadata.TryGetValue(ConfidenceTemperatureMetadataKey, out string? stored)
                && !double.TryParse(stored, NumberStyles.Float, CultureInfo.InvariantCulture, out temperature))
            {
                throw new ModelFormatException(path, $"its {ConfidenceTemperatureMetadataKey} metadata '{stored}' is not a number.");
            }
            return new HandwritingRecognizer(ml, RecognizerChain.FitLabelMapping(ml, classes), RecognizerChain.FitNormalization(ml), model, preprocessing,
                pretrained) { TrainingData = trainingData, ConfidenceTemperature = CheckTemperature(temperature, path) };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
