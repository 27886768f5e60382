declare module 'codemirror-rego/mode';
declare module '*.css';
