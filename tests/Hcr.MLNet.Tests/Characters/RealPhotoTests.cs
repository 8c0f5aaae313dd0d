using Hcr.MLNet.Data;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// The demanding check, with real handwriting: a recognizer trained on EMNIST reads characters of
/// other images rendered as photos of pen on paper (another pen width, tinted paper, lighting
/// gradient, blur, noise, loose margins, JPEG) about as well as it reads them as EMNIST tiles.
/// </summary>
public class RealPhotoTests
{
    [DataFact(SharedDataSet.Emnist)]
    public void A_recognizer_trained_on_emnist_reads_photo_like_renderings_of_unseen_handwriting()
    {
        var all = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.Mnist, EmnistPart.Test);
        var (train, held) = all.Split(0.8, seed: 2024);
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(train.Subset(Enumerable.Range(0, 4000).ToArray()))
            .WithEpochs(3)
            .OnDevice(ComputeDevice.Cpu)
            .WithTrainerOptions(o => o.ValidationFraction = 0)
            .Train();

        const int count = 150;
        var random = new Random(11);
        int tilesRight = 0, photosRight = 0;
        for (int i = 0; i < count; i++)
        {
            if (recognizer.PredictTile(held.GetImage(i)).Character == held.GetCharacter(i))
                tilesRight++;
            byte[] photo = PhotoRenderer.Render(held.GetImage(i), random, i % 2 == 0 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png);
            if (recognizer.Predict(photo).Character == held.GetCharacter(i))
                photosRight++;
        }
        double tiles = (double)tilesRight / count, photos = (double)photosRight / count;
        Assert.True(tiles > 0.85, $"tiles {tiles:P1}");
        Assert.True(photos > 0.9 * tiles, $"photos {photos:P1} vs tiles {tiles:P1}");
    }
}
