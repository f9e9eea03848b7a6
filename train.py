"""Train an MNIST model: `python train.py --help` lists every option.

python train.py --model cnn-bn --out weights/cnn-bn.safetensors
"""

from mnist_canvas.train_cli import main

if __name__ == "__main__":
    main()
