// Renderer entry: mounts the app. Talks to the back end only through lib/api.ts.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');
mount(App, { target });
