import { Core } from '../core/core.js';
void Core;
