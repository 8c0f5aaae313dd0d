using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;
using Hcr.MLNet.Training;

namespace Hcr.MLNet.Tests.IO;

/// <summary>
/// Only regular files are opened: a named pipe (here <c>x.png</c>, <c>x.hcr</c>, … made with mkfifo) blocked forever in
/// open() before, and <c>/dev/zero</c> read as "empty (0 bytes)". Each call runs under <see cref="NamedPipe.Deadline"/>, so
/// that a regression fails rather than hangs the suite. Unix only: Windows has no mkfifo.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Fifo(string name) => NamedPipe.Make(_dir.File(name));

    [Fact]
    public void The_type_is_told_for_a_pipe_and_a_device_and_not_for_a_file_or_folder()
    {
        if (OperatingSystem.IsWindows())
            return;
        File.WriteAllText(_dir.File("plain.txt"), "x");
        Assert.Equal("a named pipe (FIFO)", RegularFile.Kind(Fifo("x.png")));
        Assert.Equal("a character device", RegularFile.Kind("/dev/zero"));
        Assert.Null(RegularFile.Kind(_dir.File("plain.txt")));
        Assert.Null(RegularFile.Kind(_dir.Path));
        Assert.Null(RegularFile.Kind(_dir.File("missing")));
        // Links are followed: a link to a pipe is a pipe.
        File.CreateSymbolicLink(_dir.File("link.png"), _dir.File("x.png"));
        Assert.Equal("a named pipe (FIFO)", RegularFile.Kind(_dir.File("link.png")));
    }

    [Fact]
    public void Reading_images_refuses_a_pipe_and_a_device()
    {
        if (OperatingSystem.IsWindows())
            return;
        string fifo = Fifo("x.png");
        var loader = new CharacterImageLoader();
        NamedPipe.Refused<UnusableImageException>(fifo, () => loader.Load(fifo).Dispose());
        using (HandwritingRecognizer recognizer = HandwritingRecognizer.LoadPretrained())
        {
            NamedPipe.Refused<UnusableImageException>(fifo, () => recognizer.Predict(fifo));
            NamedPipe.Refused<UnusableImageException>(fifo, () => recognizer.ReadCharacters(fifo));
        }
        using (HandwritingTextReader reader = HandwritingTextReader.LoadPretrained())
        {
            NamedPipe.Refused<UnusableImageException>(fifo, () => reader.Read(fifo));
            // Evaluation counts an unusable image as read as nothing, and must not block on it either.
            var set = WordImageSet.FromImages([new WordImage(fifo, "abc", "w")]);
            Assert.Null(NamedPipe.Outcome(fifo, () => reader.Evaluate(set)));

            var e = Assert.Throws<UnusableImageException>(() => reader.Read("/dev/zero"));
            Assert.Contains("character device", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("0 bytes", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Loading_models_and_weights_refuses_a_pipe()
    {
        if (OperatingSystem.IsWindows())
            return;
        NamedPipe.Refused<ModelFormatException>(Fifo("x.hcr"), () => HandwritingRecognizer.Load(_dir.File("x.hcr")).Dispose());
        NamedPipe.Refused<ModelFormatException>(Fifo("x.hcrtext"), () => HandwritingTextReader.Load(_dir.File("x.hcrtext")).Dispose());
        NamedPipe.Refused<ModelFormatException>(Fifo("x.onnx"), () => HandwritingRecognizer.LoadOnnx(_dir.File("x.onnx")).Dispose());
        NamedPipe.Refused<ModelFormatException>(_dir.File("x.onnx"), () => HandwritingTextReader.LoadOnnx(_dir.File("x.onnx")).Dispose());
        NamedPipe.Refused<ModelFormatException>(Fifo("x.hcrnet"), () => HandwritingCnnTransformer.Load(_dir.File("x.hcrnet")).Dispose());
        using HandwritingCnnTransformer network = ModelFiles.UntrainedNetwork();
        NamedPipe.Refused<ModelFormatException>(Fifo("x.safetensors"), () => network.ImportSafetensors(_dir.File("x.safetensors")));
    }

    [Fact]
    public void Data_lists_refuse_a_pipe()
    {
        if (OperatingSystem.IsWindows())
            return;
        NamedPipe.Refused<WordImageFormatException>(Fifo("data.csv"), () => WordImageSet.Load(_dir.File("data.csv")));
        NamedPipe.Refused<EmnistFormatException>(Fifo("mapping.txt"), () => EmnistMapping.Load(_dir.File("mapping.txt")));
        NamedPipe.Refused<EmnistFormatException>(Fifo("images-idx3-ubyte"), () => IdxFile.OpenMaybeGzipped(_dir.File("images-idx3-ubyte")).Dispose());
    }
}
