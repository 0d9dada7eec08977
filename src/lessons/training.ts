/**
 * Lessons on how a network is started and stepped: initialisation schemes, optimizers and
 * learning-rate schedules, each on the adding problem over 20 steps, where a poor choice shows as
 * a loss stuck at the baseline (MSE 1/6). Data only; the figures each test saw are in the README.
 */
import type { Lesson } from './lesson';

const adding20 = { kind: 'adding', seed: 1, length: 20 };
const shape = { hiddenSize: 32, head: 'last', seqLen: 20, batch: 16, clip: { maxNorm: 1 } };
const tanh = (id: string, label: string, init: Record<string, unknown>) => ({
  id, label, cell: 'rnn_tanh', ...shape, optimizer: { kind: 'adam', lr: 0.003 }, init,
});

export const INITIALIZATION: Lesson = {
  id: 'initialization',
  title: 'Initialization: default, Xavier, Kaiming, orthogonal, identity (IRNN)',
  text:
    'Four tanh RNNs differ only in how their weights start, and a fifth is an IRNN: ReLU units with the recurrent matrix ' +
    'started at the identity and zero biases. They learn the adding problem over 20 steps with Adam. With PyTorch\'s ' +
    'default (uniform within 1/sqrt(hidden)) and with an orthogonal recurrent matrix, the tanh RNN stays near the ' +
    'baseline here; Kaiming\'s larger starting weights let it learn; the IRNN learns too. Watch the validation loss ' +
    '(and the recurrent layer\'s gradient norm early on). Which scheme wins depends on the cell and the seed: try ' +
    'another seed on a run.',
  chart: 'val-loss',
  chartName: 'Validation loss',
  paper: 'Glorot and Bengio (2010); He et al. (2015); Saxe, McClelland and Ganguli (2014); Le, Jaitly and Hinton, IRNN (2015)',
  json: {
    version: 1, name: 'Lesson: initialization schemes (adding problem, length 20)', budget: 800, evalEvery: 50,
    task: adding20,
    runs: [
      tanh('default', 'tanh, default init', {}),
      tanh('xavier', 'tanh, Xavier uniform', { weightIh: 'xavier_uniform', weightHh: 'xavier_uniform' }),
      tanh('kaiming', 'tanh, Kaiming uniform', { weightIh: 'kaiming_uniform', weightHh: 'kaiming_uniform' }),
      tanh('orthogonal', 'tanh, orthogonal W_hh', { weightHh: 'orthogonal' }),
      { ...tanh('irnn', 'IRNN (ReLU, identity W_hh)', { weightHh: 'identity', bias: 'zeros' }), cell: 'rnn_relu' },
    ],
  },
  ci: { steps: 800, size: 'as on the page' },
};

const lstm = (id: string, label: string, optimizer: Record<string, unknown>) => ({
  id, label, cell: 'lstm', ...shape, hiddenSize: 16, optimizer,
});

export const OPTIMIZERS: Lesson = {
  id: 'optimizers',
  title: 'Optimizers: SGD, momentum, RMSprop, Adam',
  text:
    'Four identical LSTMs learn the adding problem over 20 steps, each with another optimizer at a learning rate usual ' +
    'for it. RMSprop and Adam divide each weight\'s step by a running size of its own gradient, so weights whose ' +
    'gradients are tiny still move, and both solve the task within the budget. Plain SGD and SGD with momentum follow the raw gradient and stay near the baseline (MSE 1/6) in the ' +
    'same number of steps. Watch the validation loss, and the gradient norm to see how small the raw gradients are.',
  chart: 'val-loss',
  chartName: 'Validation loss',
  paper: 'Polyak (1964) and Sutskever et al. (2013) for momentum; Tieleman and Hinton, RMSprop (2012); Kingma and Ba, Adam (2015)',
  json: {
    version: 1, name: 'Lesson: optimizers (adding problem, length 20)', budget: 800, evalEvery: 50,
    task: adding20,
    runs: [
      lstm('sgd', 'SGD lr 0.5', { kind: 'sgd', lr: 0.5 }),
      lstm('momentum', 'SGD momentum 0.9, lr 0.05', { kind: 'sgd', lr: 0.05, momentum: 0.9 }),
      lstm('rmsprop', 'RMSprop lr 0.01', { kind: 'rmsprop', lr: 0.01 }),
      lstm('adam', 'Adam lr 0.01', { kind: 'adam', lr: 0.01 }),
    ],
  },
  ci: { steps: 800, size: 'as on the page' },
};

const scheduled = (id: string, label: string, more: Record<string, unknown>) => ({
  ...lstm(id, label, { kind: 'adam', lr: 0.03 }), ...more,
});

export const LR_SCHEDULES: Lesson = {
  id: 'lr-schedules',
  title: 'Learning-rate schedules: constant, step, exponential, cosine, reduce-on-plateau',
  text:
    'Five LSTMs start from the same weights with Adam at a high learning rate of 0.03; only the schedule differs. The ' +
    'learning-rate chart draws each schedule: a step down by 10x at step 400, an exponential decay of 0.3% a step, a ' +
    'cosine down to 0 at step 800, and reduce-on-plateau, which cuts the rate by 5x whenever the validation loss ' +
    'stalls for 3 evaluations. All five solve the task. Decay shrinks the steps before the solution is found as well ' +
    'as after: here the exponential decay, whose rate is lowest early, ends with the highest loss, while the plateau ' +
    'rule only cuts once the loss stops falling. Watch the learning rate, then the validation loss.',
  chart: 'learning-rate',
  chartName: 'Learning rate',
  paper: 'Loshchilov and Hutter, SGDR: cosine annealing (2017); torch.optim.lr_scheduler (StepLR, ExponentialLR, ReduceLROnPlateau)',
  json: {
    version: 1, name: 'Lesson: learning-rate schedules (adding problem, length 20)', budget: 800, evalEvery: 25,
    task: adding20,
    runs: [
      scheduled('constant', 'constant', {}),
      scheduled('step', 'step: x0.1 at 400', { schedule: { kind: 'step', stepSize: 400, gamma: 0.1 } }),
      scheduled('exponential', 'exponential 0.997', { schedule: { kind: 'exponential', gamma: 0.997 } }),
      scheduled('cosine', 'cosine to 0 at 800', { schedule: { kind: 'cosine', tMax: 800 } }),
      scheduled('plateau', 'reduce on plateau x0.2', { plateau: { factor: 0.2, patience: 2 } }),
    ],
  },
  ci: { steps: 800, size: 'as on the page' },
};
