using System.Diagnostics;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>Runs alone (no other test allocating at the same time), so that the process's memory measures the decoder.</summary>
[CollectionDefinition(nameof(HugeImageTests), DisableParallelization = true)]
public class HugeImageRunsAlone;

[Collection(nameof(HugeImageTests))]
public class HugeImageTests
{
    [Fact]
    public void Png_of_20000_by_20000_is_downscaled_while_decoding()
    {
        const int side = 20_000;
        using var dir = new TempDirectory();
        string path = dir.File("huge.png");
        // White paper with a black disc in the middle: 400 MB of pixels, a few MB of PNG.
        StreamingPngWriter.Write(path, side, side, (y, row) =>
        {
            row.Fill(255);
            double dy = y + 0.5 - side / 2.0;
            if (Math.Abs(dy) < 5000)
            {
                int half = (int)Math.Sqrt(5000.0 * 5000 - dy * dy);
                row.Slice(side / 2 - half, 2 * half).Clear();
            }
        });

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long before = process.WorkingSet64, peak = before;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            using var self = Process.GetCurrentProcess();
            while (!done.Wait(5))
            {
                self.Refresh();
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), self.WorkingSet64));
            }
        });
        sampler.Start();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        MLImage image;
        try
        {
            image = new CharacterImageLoader().Load(path);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
        finally
        {
            done.Set();
            sampler.Join();
        }

        using (image)
        {
            Assert.Equal((512, 512), (image.Width, image.Height));
            Assert.True(image.Pixels[(256 * 512 + 256) * 4] < 10, "the disc is in the middle");
            Assert.True(image.Pixels[(10 * 512 + 10) * 4] > 245, "paper around it");
        }
        const long fullSize = (long)side * side * 4; // 1.6 GB as a BGRA bitmap
        Assert.True(allocated < 64L << 20, $"managed allocations {allocated >> 20} MB (full size {fullSize >> 20} MB)");
        long growth = Interlocked.Read(ref peak) - before;
        Assert.True(growth < 300L << 20, $"process memory grew {growth >> 20} MB while decoding (full size {fullSize >> 20} MB)");
    }

    [Fact]
    public void Large_jpeg_is_decoded_at_a_reduced_scale()
    {
        const int width = 4000, height = 3000;
        var grey = new byte[width * height];
        grey.AsSpan().Fill(240);
        for (int y = 1000; y < 2000; y++)
            grey.AsSpan(y * width + 1500, 1000).Fill(20);
        byte[] jpeg = TestImages.Encode(TestImages.GreyToRgba(grey), width, height, SkiaSharp.SKEncodedImageFormat.Jpeg, quality: 80);

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        using MLImage image = new CharacterImageLoader().Load(jpeg, "large.jpg");
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal((512, 384), (image.Width, image.Height));
        Assert.True(image.Pixels[(192 * 512 + 256) * 4] < 40, "the dark block is in the middle");
        // JPEG decodes at 1/8 (500×375) row by row: well under the 48 MB of a full-size BGRA bitmap.
        Assert.True(allocated < 8L << 20, $"managed allocations {allocated >> 20} MB");
    }
}
