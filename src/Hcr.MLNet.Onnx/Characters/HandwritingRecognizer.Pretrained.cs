using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;
using Microsoft.ML;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// The EMNIST-47 recognizer that ships inside this package: no download, no training, no file to find. It reads
    /// the 47 classes of EMNIST Balanced (digits, capitals, and the lower-case letters whose shape differs from their
    /// capital's: a b d e f g h n q r t) and predicts on ONNX Runtime, so predicting loads neither TorchSharp nor
    /// libtorch. It scores each image alone, without test-time rotations, to be fast on a CPU
    /// (<see cref="WithTestTimeRotations"/> on <c>LoadPretrained(ComputeDevice)</c>, package Hcr.MLNet, adds them back). It also carries its TorchSharp weights, so that it can be fine-tuned
    /// (<c>HandwritingRecognizer.Create().StartingFrom(HandwritingRecognizer.LoadPretrained())</c>, which loads them
    /// and libtorch when it trains); <see cref="Save"/> writes its recognizer file and <see cref="ExportOnnx"/> its
    /// ONNX model. How it was trained and how well it reads: docs/pretrained-models.md.
    /// </summary>
    /// <param name="options">Execution provider, threads and graph optimisation of the ONNX Runtime session; null for <see cref="OnnxScoringOptions.Default"/>, the CPU.</param>
    /// <exception cref="ExecutionProviderUnavailableException">The execution provider asked for is not in the ONNX Runtime this application ships, or ONNX Runtime cannot start it.</exception>
    public static HandwritingRecognizer LoadPretrained(OnnxScoringOptions? options = null)
    {
        var ml = new MLContext(seed: 1);
        byte[] onnx = PretrainedModel.ReadAll(PretrainedModel.OnnxResource);
        string source = PretrainedModel.Source(PretrainedModel.OnnxResource);
        HandwritingRecognizer recognizer = FromOnnx(ml, OnnxCnnModel.LoadBytes(onnx, source, source, ml, options: options ?? OnnxScoringOptions.Default), source, pretrained: true);
        try
        {
            using Stream hcr = PretrainedModel.Open(PretrainedModel.RecognizerResource);
            recognizer.TrainingData = ReadTrainingData(hcr, PretrainedModel.Source(PretrainedModel.RecognizerResource));
        }
        catch
        {
            recognizer.Dispose();
            throw;
        }
        return recognizer;
    }


    /// <summary>
    /// The shipped TorchSharp weights of the pretrained recognizer scored by ONNX Runtime, loaded once, on the CPU
    /// (fine-tuning copies them into its own network on whatever device it trains), and disposed with the recognizer.
    /// </summary>
    private ITorchCnn PretrainedWeights()
    {
        lock (_pretrainedWeightsLock)
        {
            ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
            if (_pretrainedWeights is null)
            {
                using Stream stream = PretrainedModel.Open(PretrainedModel.RecognizerResource);
                _pretrainedWeights = LoadNetwork(stream, PretrainedModel.Source(PretrainedModel.RecognizerResource), ComputeDevice.Cpu);
            }
            return _pretrainedWeights;
        }
    }
}
