import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, chooseApi } from './api';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={chooseApi()}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);
