"""The three Fashion-MNIST example models, in PyTorch's eager quantization
style (QuantStub / DeQuantStub around the quantized region, modules named
for fuse_modules)."""
import torch
import torch.nn as nn
from torch.ao.quantization import DeQuantStub, QuantStub


class MLP(nn.Module):
    """784-100-100-10 with ReLUs."""

    fuse = [["fc1", "relu1"], ["fc2", "relu2"]]

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 100)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(100, 100)
        self.relu2 = nn.ReLU()
        self.fc3 = nn.Linear(100, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.flatten(self.quant(x))
        x = self.relu2(self.fc2(self.relu1(self.fc1(x))))
        return self.dequant(self.fc3(x))


class CNN(nn.Module):
    """Two Conv2d + BatchNorm2d + ReLU blocks with max pooling, then Linear."""

    fuse = [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"]]

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 7 * 7, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.pool1(self.relu1(self.bn1(self.conv1(self.quant(x)))))
        x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
        return self.dequant(self.fc(self.flatten(x)))


class KWS(nn.Module):
    """A keyword-spotting-shaped 1-D CNN on the 784 pixels read as a signal:
    Conv1d 1->32 (kernel 80, stride 4), then three Conv1d + BatchNorm1d + ReLU
    blocks (32, 64, 64 channels, kernel 3) with max pooling, global average
    pooling and Linear to 10 classes."""

    fuse = [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"],
            ["conv3", "bn3", "relu3"], ["conv4", "bn4", "relu4"]]

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = nn.Conv1d(1, 32, 80, stride=4)
        self.bn1 = nn.BatchNorm1d(32)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(32, 32, 3)
        self.bn2 = nn.BatchNorm1d(32)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool1d(2)
        self.conv3 = nn.Conv1d(32, 64, 3)
        self.bn3 = nn.BatchNorm1d(64)
        self.relu3 = nn.ReLU()
        self.pool3 = nn.MaxPool1d(2)
        self.conv4 = nn.Conv1d(64, 64, 3)
        self.bn4 = nn.BatchNorm1d(64)
        self.relu4 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x.reshape(x.shape[0], 1, 784))
        x = self.pool1(self.relu1(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
        x = self.pool3(self.relu3(self.bn3(self.conv3(x))))
        x = self.gap(self.relu4(self.bn4(self.conv4(x))))
        return self.dequant(self.fc(self.flatten(x)))


MODELS = {"mlp": MLP, "cnn": CNN, "kws": KWS}


def quantize_eager(model, calibration, qconfig="x86"):
    """PyTorch's eager static quantization of a copy of `model` (one of the
    classes above): fuse its blocks, prepare with the named qconfig, run the
    calibration batches, convert."""
    quantized = type(model)()
    quantized.load_state_dict(model.state_dict())
    quantized = quantized.eval()
    if type(model).fuse:
        quantized = torch.ao.quantization.fuse_modules(quantized, type(model).fuse)
    quantized.qconfig = torch.ao.quantization.get_default_qconfig(qconfig)
    torch.ao.quantization.prepare(quantized, inplace=True)
    with torch.no_grad():
        for batch in calibration:
            quantized(batch)
    return torch.ao.quantization.convert(quantized, inplace=True)
